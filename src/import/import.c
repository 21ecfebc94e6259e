/* Access-log import: read lines (plain or gzip through zlib), parse them,
 * turn vendor requests into hits, and commit hits and the file's position
 * in one transaction per chunk, so an interrupted or repeated import never
 * counts a line twice. */
#include "import.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "core/audit.h"
#include "core/hash.h"

#define READ_CHUNK 65536
#define CHUNK_HITS 4096      /* a transaction is written when this many wait */

/* ---- identity --------------------------------------------------------- */

struct idhash {
	uint64_t fnv;
	uLong crc;
};

static void idhash_init(struct idhash *h)
{
	h->fnv = EA_FNV_OFFSET;
	h->crc = crc32(0L, Z_NULL, 0);
}

static void idhash_add(struct idhash *h, const char *p, size_t n)
{
	h->fnv = ea_fnv1a(h->fnv, p, n);
	/* crc32() takes a uInt length; a line is at most a few chunks. */
	while (n) {
		uInt k = n > 0x40000000u ? 0x40000000u : (uInt)n;

		h->crc = crc32(h->crc, (const Bytef *)p, k);
		p += k;
		n -= k;
	}
}

static void idhash_format(const struct idhash *h, uint64_t len, char *out, size_t outlen)
{
	snprintf(out, outlen, "line1:%" PRIu64 ":%016" PRIx64 ":%08lx", len, h->fnv, (unsigned long)h->crc);
}

void ea_import_identity(const char *line, size_t len, char *out, size_t outlen)
{
	struct idhash h;

	idhash_init(&h);
	idhash_add(&h, line, len);
	idhash_format(&h, len, out, outlen);
}

/* ---- line reader -------------------------------------------------------- */

enum { LINE_EOF, LINE_OK, LINE_LONG, LINE_ERROR };

struct reader {
	gzFile gz;
	char *buf;
	size_t cap, start, end;
	bool eof;
	uint64_t offset;    /* uncompressed bytes of complete lines consumed */
	bool hashing;       /* hash the next line (the first of the file) */
	struct idhash hash;
	uint64_t hash_len;
};

/* zlib's message without the "<fd:6>: " it prefixes: the caller names the
 * file. A compressed file never grows, so its end in the middle of the
 * stream (Z_BUF_ERROR at the end) is damage, not a line still being
 * written. 0 when the stream is sound. */
static int gz_status(gzFile gz, char *err)
{
	int zerr;
	const char *msg = gzerror(gz, &zerr);
	const char *colon;

	if (zerr == Z_OK)
		return 0;
	if (zerr == Z_ERRNO) {
		ea_errmsg_set(err, "cannot read: %s", strerror(errno));
		return -1;
	}
	if (zerr == Z_BUF_ERROR) {
		ea_errmsg_set(err, "truncated compressed file (it ends in the middle of the gzip stream)");
		return -1;
	}
	if (msg && msg[0] == '<' && (colon = strstr(msg, ": ")) != NULL)
		msg = colon + 2;
	ea_errmsg_set(err, "corrupt compressed file (%s)", msg && *msg ? msg : "gzip error");
	return -1;
}

static int reader_fill(struct reader *r, char *err)
{
	int n;

	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	n = gzread(r->gz, r->buf + r->end, (unsigned)(r->cap - r->end));
	if (n < 0) {
		gz_status(r->gz, err);
		return -1;
	}
	if (n == 0) {
		if (!gzdirect(r->gz) && gz_status(r->gz, err) < 0)
			return -1;
		r->eof = true;
	}
	r->end += (size_t)n;
	return 0;
}

/* The next complete line in *line and *len (newline excluded). LINE_LONG: a
 * line longer than EA_LOG_LINE_MAX was consumed and discarded. LINE_EOF:
 * nothing complete is left; *partial says whether an unfinished last line
 * was left unconsumed. */
static int reader_next(struct reader *r, const char **line, size_t *len, bool *partial,
		       char *err)
{
	uint64_t skipped = 0;   /* bytes of an over-long line already dropped */

	*partial = false;
	for (;;) {
		char *nl = memchr(r->buf + r->start, '\n', r->end - r->start);

		if (nl) {
			size_t n = (size_t)(nl - (r->buf + r->start));

			if (r->hashing) {
				idhash_add(&r->hash, r->buf + r->start, n);
				r->hash_len = skipped + n;
			}
			*line = r->buf + r->start;
			*len = n;
			r->start += n + 1;
			r->offset += skipped + n + 1;
			return skipped || n > EA_LOG_LINE_MAX ? LINE_LONG : LINE_OK;
		}
		if (r->end - r->start > EA_LOG_LINE_MAX + 1) {
			/* Too long to ever be a line: drop what we have and
			 * look for its end. */
			size_t n = r->end - r->start;

			if (r->hashing)
				idhash_add(&r->hash, r->buf + r->start, n);
			skipped += n;
			r->start = r->end;
		}
		if (r->eof) {
			/* An unfinished line stays for the next import; an
			 * over-long one is re-read then, a bounded cost. */
			*partial = skipped || r->end > r->start;
			return LINE_EOF;
		}
		if (reader_fill(r, err) < 0)
			return LINE_ERROR;
	}
}

/* ---- the import -------------------------------------------------------------- */

struct chunk {
	struct ea_hit *hits;
	size_t n, cap;
	uint64_t lines, malformed;
};

static int chunk_add(struct chunk *c, const struct ea_hit *h, size_t n)
{
	if (ea_vec_reserve(&c->hits, &c->cap, c->n + n, sizeof(*c->hits)) < 0)
		return -1;
	memcpy(c->hits + c->n, h, n * sizeof(*h));
	c->n += n;
	return 0;
}

struct import_run {
	struct ea_store *s;
	const struct ea_import_options *opt;
	struct ea_log_position pos;      /* what is committed */
	bool have_pos;
	const char *path;
};

/* Commit the chunk's hits, its malformed count and the new position, with
 * a compare-and-swap of the position inside the transaction: if another
 * import of the same file committed since this one read the position, the
 * chunk is not written and the import stops. */
static int commit(struct import_run *run, struct chunk *c, const struct reader *r,
		  uint64_t lineno, char *err)
{
	struct ea_log_position next = run->pos;
	struct ea_counter_add counter = { EA_COUNTER_LOG_MALFORMED, c->malformed };
	struct ea_batch b = { 0 };
	int rc;

	if (c->lines == 0)
		return 0;
	next.offset = r->offset;
	next.lines = lineno;
	b.hits = c->hits;
	b.nhits = c->n;
	b.counters = &counter;
	b.ncounters = c->malformed ? 1 : 0;
	b.log = &next;
	b.log_cas = true;
	b.log_was_stored = run->have_pos;
	b.log_was_offset = run->pos.offset;
	rc = ea_store_write(run->s, &b);
	if (rc == EA_STORE_CONFLICT) {
		ea_errmsg_set(err, "%s; nothing of this chunk was stored (is another import of the same log running?"
			      " run them one after another, e.g. with flock)", ea_store_errmsg(run->s));
		return -1;
	}
	if (rc < 0) {
		ea_errmsg_set(err, "%s", ea_store_errmsg(run->s));
		return -1;
	}
	run->pos = next;
	run->have_pos = true;
	c->n = 0;
	c->lines = 0;
	c->malformed = 0;
	return 0;
}

static void handle_line(struct import_run *run, struct chunk *c, const char *line, size_t len,
			int kind, uint64_t lineno, struct ea_import_stats *st, bool *oom)
{
	const struct ea_import_options *opt = run->opt;
	struct ea_hit hits[EA_AUDIT_MAX_HITS];
	struct ea_log_record rec;
	const char *why = "line too long";
	size_t n;

	c->lines++;
	st->lines++;
	if (kind == LINE_LONG || ea_log_parse(opt->format, line, len, &rec, &why) < 0) {
		c->malformed++;
		st->malformed++;
		if (opt->report)
			opt->report(opt->ctx, run->path, lineno, why);
		return;
	}
	if (rec.peer_query) {
		st->peer++;
		return;
	}
	if (!rec.has_target) {
		st->other++;
		return;
	}
	n = ea_audit_hits(opt->matcher, &rec.target, rec.when, rec.client, rec.user,
			  rec.outcome, EA_SOURCE_LOG, hits, EA_AUDIT_MAX_HITS);
	if (n == 0) {
		st->other++;
		return;
	}
	if (n > EA_AUDIT_MAX_HITS)
		n = EA_AUDIT_MAX_HITS;
	st->vendor++;
	if (chunk_add(c, hits, n) < 0) {
		*oom = true;
		return;
	}
	st->hits += n;
}

/* Compressions logrotate's compresscmd can make that zlib cannot read:
 * their magic numbers, so they are refused by name instead of being read
 * as lines of binary garbage. */
static const struct {
	const char *name, *magic, *cmd;
	size_t len;
} foreign[] = {
	{ "xz", "\xfd" "7zXZ\0", "xz -dc", 6 },
	{ "bzip2", "BZh", "bzip2 -dc", 3 },
	{ "zstd", "\x28\xb5\x2f\xfd", "zstd -dc", 4 },
	{ "lz4", "\x04\x22\x4d\x18", "lz4 -dc", 4 },
	{ "lzip", "LZIP", "lzip -dc", 4 },
};

/* The first bytes of a file zlib passes through untouched; -1 with the
 * reason when they are another compression's. */
static int refuse_foreign(const char *p, size_t n, const char *path, char *err)
{
	for (size_t i = 0; i < sizeof(foreign) / sizeof(foreign[0]); i++) {
		if (n >= foreign[i].len && memcmp(p, foreign[i].magic, foreign[i].len) == 0 &&
		    (foreign[i].magic[0] != 'B' || (n > 3 && p[3] >= '1' && p[3] <= '9'))) {
			ea_errmsg_set(err, "compressed with %s, which import does not read; nothing was"
				      " imported (to import it: %s '%s' | egressaudit import -d DB -)",
				      foreign[i].name, foreign[i].cmd, path);
			return -1;
		}
	}
	return 0;
}

/* A gzip file is read once to its end before anything is imported:
 * zlib finds a corrupt member only at its CRC, after handing out its
 * garbled lines, and a truncated file only at its end. */
static int verify_gz(const char *path, char *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	gzFile gz = fd < 0 ? NULL : gzdopen(fd, "rb");
	char *buf;
	int rc = 0;

	if (!gz) {
		ea_errmsg_set(err, "cannot open: %s", fd < 0 ? strerror(errno) : "out of memory");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	buf = malloc(READ_CHUNK);
	if (!buf) {
		gzclose(gz);
		ea_errmsg_set(err, "out of memory");
		return -1;
	}
	while (gzread(gz, buf, READ_CHUNK) > 0)
		;
	if (gz_status(gz, err) < 0)
		rc = -1;
	free(buf);
	gzclose(gz);
	return rc;
}

static gzFile open_log(const char *path, struct stat *sb, char *err)
{
	int fd = strcmp(path, "-") == 0 ? dup(0) : open(path, O_RDONLY | O_CLOEXEC);
	gzFile gz;

	if (fd < 0) {
		ea_errmsg_set(err, "cannot open: %s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, sb) < 0 || S_ISDIR(sb->st_mode)) {
		ea_errmsg_set(err, "cannot read: %s", S_ISDIR(sb->st_mode) ? "is a directory" : strerror(errno));
		close(fd);
		return NULL;
	}
	if (S_ISREG(sb->st_mode) && strcmp(path, "-") != 0) {
		unsigned char magic[2];

		if (pread(fd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b &&
		    verify_gz(path, err) < 0) {
			close(fd);
			return NULL;
		}
	}
	gz = gzdopen(fd, "rb");
	if (!gz) {
		ea_errmsg_set(err, "cannot open: out of memory");
		close(fd);
		return NULL;
	}
	gzbuffer(gz, 128 * 1024);
	return gz;
}

struct ea_import {
	struct ea_store *s;
	struct ea_import_options opt;
	char errmsg[EA_ERRMSG_MAX];
};

int ea_import_new(struct ea_store *s, const struct ea_import_options *opt, struct ea_import **out)
{
	struct ea_import *imp = calloc(1, sizeof(*imp));

	if (!(*out = imp))
		return -1;
	imp->s = s;
	imp->opt = *opt;
	return 0;
}

void ea_import_free(struct ea_import *imp)
{
	free(imp);
}

const char *ea_import_errmsg(const struct ea_import *imp)
{
	return imp ? imp->errmsg : EA_ERRMSG_NOMEM;
}

int ea_import_file(struct ea_import *imp, const char *path, struct ea_import_stats *st)
{
	struct ea_store *s = imp->s;
	const struct ea_import_options *opt = &imp->opt;
	char *err = imp->errmsg;
	struct import_run run = { .s = s, .opt = opt,
				  .path = strcmp(path, "-") == 0 ? "(standard input)" : path };
	size_t chunk_lines = opt->chunk_lines ? opt->chunk_lines : 5000;
	struct reader r = { 0 };
	struct chunk c = { 0 };
	struct stat sb;
	const char *line;
	size_t len;
	uint64_t lineno = 0;
	bool partial = false, oom = false;
	int kind, rc = -1;
	struct ea_import_stats done;   /* *st as of the last commit */

	st->identity[0] = '\0';
	done = *st;
	r.gz = open_log(path, &sb, err);
	if (!r.gz)
		return -1;
	r.cap = EA_LOG_LINE_MAX + 2 + READ_CHUNK;
	r.buf = malloc(r.cap);
	if (!r.buf) {
		ea_errmsg_set(err, "out of memory");
		goto out;
	}
	if (reader_fill(&r, err) < 0)
		goto out;
	if (gzdirect(r.gz) && refuse_foreign(r.buf, r.end, run.path, err) < 0)
		goto out;
	/* The first line names the file. */
	r.hashing = true;
	idhash_init(&r.hash);
	kind = reader_next(&r, &line, &len, &partial, err);
	r.hashing = false;
	if (kind == LINE_ERROR)
		goto out;
	if (kind == LINE_EOF) {
		st->partial = partial;
		rc = 0;
		goto out;
	}
	idhash_format(&r.hash, r.hash_len, run.pos.identity, sizeof(run.pos.identity));
	snprintf(st->identity, sizeof(st->identity), "%s", run.pos.identity);
	snprintf(run.pos.path, sizeof(run.pos.path), "%s", strcmp(path, "-") == 0 ? "(standard input)" : path);
	run.pos.device = (uint64_t)sb.st_dev;
	run.pos.inode = (uint64_t)sb.st_ino;

	{
		struct ea_log_position stored;
		int prc = ea_store_log_position(s, run.pos.identity, &stored);

		if (prc < 0) {
			ea_errmsg_set(err, "%s", ea_store_errmsg(s));
			goto out;
		}
		if (prc == 0) {
			run.have_pos = true;
			run.pos.offset = stored.offset;
			run.pos.lines = stored.lines;
		}
	}
	if (run.have_pos && run.pos.offset > r.offset) {
		/* Resume: seek (a plain file seeks, gzip decompresses
		 * forward), or read and drop when seeking is impossible. */
		st->skipped += run.pos.lines;
		lineno = run.pos.lines;
		if (gzseek(r.gz, (z_off_t)run.pos.offset, SEEK_SET) == (z_off_t)run.pos.offset) {
			r.start = r.end = 0;
			r.eof = false;
			r.offset = run.pos.offset;
		} else {
			while (r.offset < run.pos.offset) {
				kind = reader_next(&r, &line, &len, &partial, err);
				if (kind == LINE_ERROR)
					goto out;
				if (kind == LINE_EOF)
					break;
			}
			if (r.offset != run.pos.offset) {
				/* Shorter than what was imported, or not
				 * on a line boundary: nothing new to take. */
				st->partial = partial;
				rc = 0;
				goto out;
			}
		}
	} else if (run.have_pos) {
		/* Only the first line was imported before. */
		st->skipped += run.pos.lines;
		lineno = run.pos.lines;
	} else {
		lineno = 1;
		done = *st;
		handle_line(&run, &c, line, len, kind, lineno, st, &oom);
	}
	if (c.lines == 0)
		done = *st;

	for (;;) {
		if (oom) {
			ea_errmsg_set(err, "out of memory");
			goto out;
		}
		if (c.lines >= chunk_lines || c.n >= CHUNK_HITS) {
			if (commit(&run, &c, &r, lineno, err) < 0)
				goto out;
			done = *st;
		}
		kind = reader_next(&r, &line, &len, &partial, err);
		if (kind == LINE_ERROR)
			goto out;
		if (kind == LINE_EOF)
			break;
		lineno++;
		handle_line(&run, &c, line, len, kind, lineno, st, &oom);
	}
	if (oom) {
		ea_errmsg_set(err, "out of memory");
		goto out;
	}
	if (commit(&run, &c, &r, lineno, err) < 0)
		goto out;
	st->partial = partial;
	rc = 0;
out:
	if (rc < 0) {
		/* The summary says what was committed, not what was read. */
		snprintf(done.identity, sizeof(done.identity), "%s", st->identity);
		*st = done;
	}
	gzclose(r.gz);
	free(r.buf);
	free(c.hits);
	return rc;
}
