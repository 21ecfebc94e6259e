/* egressaudit doctor: checks a deployment (c-icap, the module, the
 * catalogue, the database, Squid) and says line by line what is right and
 * what to fix, with the command. Exit 0 all OK, 1 warnings, 2 failures. */
#include <getopt.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "doctor.h"
#include "core/diag.h"
#include "store/store.h"

#ifndef EA_SYSCONFDIR
#define EA_SYSCONFDIR "/etc"
#endif
#ifndef EA_ICAP_MODULE_DIR
#define EA_ICAP_MODULE_DIR "/usr/lib/x86_64-linux-gnu/c_icap"
#endif
#define MODULE_FILE "srv_egressaudit.so"
#define DEFAULT_DB "/var/lib/egressaudit/audit.db"
#define MAX_SCOPE 8          /* scope misses named before "and N more" */

struct doctor {
	const char *cicap_conf, *squid_conf, *logd_conf, *db, *user;
	struct cli_paths cats;
	long max_age_hours;
	struct dr_report r;
	struct dr_conf ci, sq;
	bool ci_ok, sq_ok;
	const char *service;      /* c-icap's name for the module's service */
	char db_path[4096];
	char user_name[64], group_name[64];
	struct ea_catalogue *cat;
	bool squid_icap, squid_logd;
	char fix[8192];
};

static void doctor_usage(FILE *out)
{
	fputs("usage: egressaudit doctor [OPTIONS]\n"
	      "  checks c-icap, the module, the catalogue, the database and Squid; one line per check\n"
	      "      --cicap-conf FILE  c-icap's configuration (default /etc/c-icap/c-icap.conf)\n"
	      "      --squid-conf FILE  Squid's configuration (default /etc/squid/squid.conf)\n"
	      "      --logd-conf FILE   egressaudit-logd's settings (default /etc/egressaudit/logd.conf)\n"
	      "  -c, --catalogue PATH   the catalogue (repeatable; default: c-icap.conf's egressaudit.Catalogue)\n"
	      "  -d, --database DB      the database (default: c-icap.conf's egressaudit.Database)\n"
	      "  -u, --user USER        the user c-icap runs as (default: c-icap.conf's User)\n"
	      "      --max-age HOURS    newest hit and import older than this warn (default 24)\n"
	      "  -q, --quiet            print only warnings and failures\n"
	      "exit status: 0 all OK, 1 warnings, 2 failures\n", out);
}

static const char *fixf(struct doctor *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static const char *fixf(struct doctor *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->fix, sizeof(d->fix), fmt, ap);
	va_end(ap);
	return d->fix;
}

static long conf_long(const struct dr_conf *c, const char *name, long dflt)
{
	const struct dr_line *l = dr_conf_last(c, name);
	char *end;
	long v;

	if (!l || l->argc < 2)
		return dflt;
	v = strtol(l->argv[1], &end, 10);
	return *end == '\0' && v > 0 ? v : dflt;
}

/* ---- c-icap ------------------------------------------------------------------ */

static void check_cicap(struct doctor *d)
{
	const struct dr_line *svc = NULL, *l;
	char path[4096];
	struct stat st;

	if (dr_conf_read(&d->ci, d->cicap_conf, "Include") < 0) {
		dr_say(&d->r, DR_FAIL, "c-icap", "apt-get install c-icap (or give --cicap-conf FILE)", "%s", d->ci.errmsg);
		return;
	}
	d->ci_ok = true;
	for (size_t i = 0; i < d->ci.nlines; i++) {
		l = &d->ci.lines[i];
		if (dr_eq(l->argv[0], "Service") && l->argc >= 3) {
			const char *base = strrchr(l->argv[2], '/');

			if (strcmp(base ? base + 1 : l->argv[2], MODULE_FILE) == 0)
				svc = l;
		}
	}
	if (!svc) {
		dr_say(&d->r, DR_FAIL, "c-icap",
		       fixf(d, "echo 'Include egressaudit.conf' >> %s && systemctl restart c-icap", d->cicap_conf),
		       "%s (and the files it includes) has no 'Service ... %s' line", d->cicap_conf, MODULE_FILE);
		return;
	}
	d->service = svc->argv[1];
	dr_say(&d->r, DR_OK, "c-icap", NULL, "loads %s as the service '%s' (%s:%u)",
	       MODULE_FILE, d->service, svc->file, svc->lineno);
	if (svc->argv[2][0] == '/') {
		snprintf(path, sizeof(path), "%s", svc->argv[2]);
	} else {
		l = dr_conf_last(&d->ci, "ServicesDir");
		snprintf(path, sizeof(path), "%s/%s", l && l->argc > 1 ? l->argv[1] : EA_ICAP_MODULE_DIR,
			 svc->argv[2]);
	}
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		dr_say(&d->r, DR_FAIL, "c-icap", "apt-get install --reinstall libc-icap-mod-egressaudit",
		       "the module %s is missing", path);
	else
		dr_say(&d->r, DR_OK, "c-icap", NULL, "the module is at %s", path);
}

/* ---- catalogue ------------------------------------------------------------------ */

static void check_catalogue(struct doctor *d)
{
	struct ea_diags diags;
	size_t errors = 0, warnings = 0;
	char where[1024] = "";

	if (d->cats.n == 0 && d->ci_ok)
		for (size_t i = 0; i < d->ci.nlines; i++) {
			const struct dr_line *l = &d->ci.lines[i];

			if (d->service && l->argc >= 2 && dr_eqn(l->argv[0], d->service, strlen(d->service)) &&
			    dr_eq(l->argv[0] + strlen(d->service), ".Catalogue"))
				cli_paths_add(&d->cats, l->argv[1]);
		}
	if (d->cats.n == 0) {
		dr_say(&d->r, DR_FAIL, "catalogue", "add 'egressaudit.Catalogue /usr/share/egressaudit/rules' to /etc/c-icap/egressaudit.conf",
		       "c-icap's configuration names no catalogue (egressaudit.Catalogue), so the module records nothing");
		return;
	}
	for (size_t i = 0; i < d->cats.n; i++) {
		size_t len = strlen(where);

		snprintf(where + len, sizeof(where) - len, "%s-c %s", i ? " " : "", d->cats.v[i]);
	}
	ea_diags_init(&diags);
	ea_catalogue_load(d->cats.v, d->cats.n, &d->cat, &diags);
	for (size_t i = 0; i < diags.count; i++) {
		if (diags.items[i].severity == EA_ERROR)
			errors++;
		else if (!diags.items[i].waived)
			warnings++;
	}
	ea_diags_clear(&diags);
	if (!d->cat || errors)
		dr_say(&d->r, DR_FAIL, "catalogue",
		       fixf(d, "egressaudit lint %s, correct the errors, then printf %%s %s:reload > /var/run/c-icap/c-icap.ctl",
			    where, d->service ? d->service : "egressaudit"),
		       "%zu error(s) in the catalogue (%s)", errors, where);
	else if (warnings)
		dr_say(&d->r, DR_WARN, "catalogue", fixf(d, "egressaudit lint %s", where),
		       "%zu entries, %zu warning(s) (%s)", d->cat->nentries, warnings, where);
	else
		dr_say(&d->r, DR_OK, "catalogue", NULL, "%zu entries of %zu vendors lint clean (%s)",
		       d->cat->nentries, d->cat->nvendors, where);
}

/* ---- database directory ------------------------------------------------------------ */

/* Can UID (in GID or GROUPS) write and search DIR, as the kernel decides? */
static bool may_write(const struct stat *st, uid_t uid, const gid_t *groups, int ngroups)
{
	if (uid == 0)
		return true;
	if (st->st_uid == uid)
		return (st->st_mode & 0300) == 0300;
	for (int i = 0; i < ngroups; i++)
		if (groups[i] == st->st_gid)
			return (st->st_mode & 0030) == 0030;
	return (st->st_mode & 0003) == 0003;
}

static void check_database_dir(struct doctor *d)
{
	const struct dr_line *l;
	struct passwd *pw;
	struct group *gr;
	gid_t groups[256];
	int ngroups = 256;
	char dir[4096], *slash;
	struct stat st;

	if (!d->db && d->ci_ok && d->service)
		for (size_t i = 0; i < d->ci.nlines; i++) {
			l = &d->ci.lines[i];
			if (l->argc >= 2 && dr_eqn(l->argv[0], d->service, strlen(d->service)) &&
			    dr_eq(l->argv[0] + strlen(d->service), ".Database"))
				d->db = l->argv[1];
		}
	snprintf(d->db_path, sizeof(d->db_path), "%s", d->db ? d->db : DEFAULT_DB);
	snprintf(dir, sizeof(dir), "%s", d->db_path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), "%s", slash ? "/" : ".");

	/* The user c-icap switches to, and its group (c-icap.conf's Group). */
	l = d->ci_ok ? dr_conf_last(&d->ci, "User") : NULL;
	snprintf(d->user_name, sizeof(d->user_name), "%s", d->user ? d->user : l && l->argc > 1 ? l->argv[1] : "c-icap");
	l = d->ci_ok ? dr_conf_last(&d->ci, "Group") : NULL;
	pw = getpwnam(d->user_name);
	if (!pw) {
		dr_say(&d->r, DR_FAIL, "database", "apt-get install c-icap (it creates the user c-icap)",
		       "c-icap runs as '%s', which does not exist", d->user_name);
		return;
	}
	gr = l && l->argc > 1 ? getgrnam(l->argv[1]) : getgrgid(pw->pw_gid);
	snprintf(d->group_name, sizeof(d->group_name), "%s", gr ? gr->gr_name : "root");
	if (getgrouplist(d->user_name, gr ? gr->gr_gid : pw->pw_gid, groups, &ngroups) < 0)
		ngroups = 0;
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		dr_say(&d->r, DR_FAIL, "database", fixf(d, "install -d -o %s -g %s -m 0750 %s", d->user_name, d->group_name, dir),
		       "the database directory %s does not exist", dir);
		return;
	}
	if (!may_write(&st, pw->pw_uid, groups, ngroups))
		dr_say(&d->r, DR_FAIL, "database",
		       fixf(d, "chown %s:%s %s && chmod 0750 %s", d->user_name, d->group_name, dir, dir),
		       "%s is not writable by %s, the user c-icap runs as: nothing is recorded", dir, d->user_name);
	else if (st.st_mode & 0007)
		dr_say(&d->r, DR_WARN, "database", fixf(d, "chmod o-rwx %s", dir),
		       "%s is open to every user (mode %04o); the database names clients and users",
		       dir, (unsigned)(st.st_mode & 07777));
	else
		dr_say(&d->r, DR_OK, "database", NULL, "%s is writable by %s and closed to others (mode %04o)",
		       dir, d->user_name, (unsigned)(st.st_mode & 07777));
	if (stat(d->db_path, &st) == 0 && !may_write(&st, pw->pw_uid, groups, ngroups))
		dr_say(&d->r, DR_FAIL, "database",
		       fixf(d, "chown %s:%s %s*", d->user_name, d->group_name, d->db_path),
		       "%s is not writable by %s", d->db_path, d->user_name);
}

/* ---- Squid -------------------------------------------------------------------------- */

static bool word_is(const char *a, const char *b) { return dr_eq(a, b); }

/* Does Squid's ACL NAME (dstdomain or dstdom_regex, inline or "file") match HOST? */
static int acl_matches(const struct dr_conf *sq, const char *name, const char *host);

static bool dstdomain_match(const char *value, const char *host)
{
	size_t vl = strlen(value), hl = strlen(host);

	if (value[0] == '.')
		return (hl == vl - 1 && dr_eq(host, value + 1)) ||
		       (hl > vl && dr_eq(host + hl - vl, value));
	return dr_eq(value, host);
}

static int value_matches(const char *type, const char *value, const char *host, bool icase)
{
	regex_t re;
	int m;

	if (word_is(type, "dstdomain"))
		return dstdomain_match(value, host);
	if (regcomp(&re, value, REG_EXTENDED | REG_NOSUB | (icase ? REG_ICASE : 0)) != 0)
		return 0;
	m = regexec(&re, host, 0, NULL, 0) == 0;
	regfree(&re);
	return m;
}

static int acl_matches(const struct dr_conf *sq, const char *name, const char *host)
{
	if (word_is(name, "all"))
		return 1;
	for (size_t i = 0; i < sq->nlines; i++) {
		const struct dr_line *l = &sq->lines[i];
		bool icase = false;

		if (l->argc < 4 || !word_is(l->argv[0], "acl") || strcmp(l->argv[1], name) != 0 ||
		    (!word_is(l->argv[2], "dstdomain") && !word_is(l->argv[2], "dstdom_regex")))
			continue;
		for (size_t j = 3; j < l->argc; j++) {
			const char *v = l->argv[j];

			if (strcmp(v, "-i") == 0) { icase = true; continue; }
			if (v[0] == '-')
				continue;
			if (l->argv[j][0] == '/' || strncmp(l->argv[j], "./", 2) == 0) {
				/* A quoted "file": one value per line. */
				FILE *f = fopen(v, "r");
				char buf[1024];
				int m = 0;

				if (!f)
					continue;
				while (!m && fgets(buf, sizeof(buf), f)) {
					char *s = buf + strspn(buf, " \t");

					s[strcspn(s, " \t\r\n#")] = '\0';
					if (*s)
						m = value_matches(l->argv[2], s, host, icase || word_is(l->argv[2], "dstdomain"));
				}
				fclose(f);
				if (m)
					return 1;
			} else if (value_matches(l->argv[2], v, host, icase)) {
				return 1;
			}
		}
	}
	return 0;
}

/* A host an entry's pattern matches, to test Squid's ACLs with. */
static bool sample_host(const struct ea_entry *e, char *buf, size_t len)
{
	const char *p = e->pattern;
	size_t o = 0;

	if (!p || e->kind == EA_KIND_REGEX || e->kind == EA_KIND_SITE)
		return false;
	if (e->kind == EA_KIND_WILDCARD && strncmp(p, "*.", 2) == 0)
		o = (size_t)snprintf(buf, len, "x");
	for (; *p && o + 2 < len; p++)
		buf[o++] = *p == '*' ? 'x' : *p;
	buf[o] = '\0';
	return true;
}

/* Is HOST sent to ICAP service NAME by its adaptation_access rules (first match)? */
static bool adapted(const struct dr_conf *sq, const char *name, const char *host)
{
	for (size_t i = 0; i < sq->nlines; i++) {
		const struct dr_line *l = &sq->lines[i];
		bool all = true;

		if (l->argc < 3 || !word_is(l->argv[0], "adaptation_access") || strcmp(l->argv[1], name) != 0)
			continue;
		for (size_t j = 3; j < l->argc && all; j++) {
			const char *a = l->argv[j];
			bool neg = a[0] == '!';

			all = (acl_matches(sq, neg ? a + 1 : a, host) != 0) != neg;
		}
		if (all)
			return word_is(l->argv[2], "allow");
	}
	return false;
}

static void check_squid(struct doctor *d)
{
	const char *names[8];
	size_t nnames = 0, nservices;
	bool reqmod = false, respmod = false, bypass_off = false;
	long icap_port = 1344, max_conn = 0, workers, capacity;
	const struct dr_line *l;
	char want[64];

	if (dr_conf_read(&d->sq, d->squid_conf, "include") < 0) {
		dr_say(&d->r, DR_FAIL, "squid", "apt-get install squid (or give --squid-conf FILE)", "%s", d->sq.errmsg);
		return;
	}
	d->sq_ok = true;
	if (d->ci_ok && (l = dr_conf_last(&d->ci, "Port")) && l->argc > 1) {
		const char *colon = strrchr(l->argv[1], ':');

		icap_port = strtol(colon ? colon + 1 : l->argv[1], NULL, 10);
	}
	snprintf(want, sizeof(want), ":%ld/%s", icap_port, d->service ? d->service : "egressaudit");
	for (size_t i = 0; i < d->sq.nlines; i++) {
		l = &d->sq.lines[i];
		if (word_is(l->argv[0], "logfile_daemon") && l->argc > 1 && strstr(l->argv[1], "egressaudit-logd"))
			d->squid_logd = true;
		if (!word_is(l->argv[0], "icap_service") || l->argc < 4)
			continue;
		{
			const char *uri = l->argv[3];
			size_t ul = strlen(uri), wl = strlen(want);

			if (ul < wl || strcmp(uri + ul - wl, want) != 0 || nnames == 8)
				continue;
		}
		names[nnames++] = l->argv[1];
		reqmod |= strncmp(l->argv[2], "reqmod", 6) == 0;
		respmod |= strncmp(l->argv[2], "respmod", 7) == 0;
		for (size_t j = 4; j < l->argc; j++) {
			if (strcmp(l->argv[j], "bypass=off") == 0 || strcmp(l->argv[j], "bypass=0") == 0)
				bypass_off = true;
			if (strncmp(l->argv[j], "max-conn=", 9) == 0)
				max_conn += strtol(l->argv[j] + 9, NULL, 10);
		}
	}
	/* adaptation_access may name a set or chain holding the services. */
	nservices = nnames;
	for (size_t i = 0; i < d->sq.nlines && nnames; i++) {
		l = &d->sq.lines[i];
		if (l->argc < 3 || (!word_is(l->argv[0], "adaptation_service_set") &&
				    !word_is(l->argv[0], "adaptation_service_chain")))
			continue;
		for (size_t j = 2; j < l->argc; j++) {
			bool ours = false;

			for (size_t n = 0; n < nnames && !ours; n++)
				ours = strcmp(l->argv[j], names[n]) == 0;
			if (ours && nnames < 8) {
				names[nnames++] = l->argv[1];
				break;
			}
		}
	}
	if (d->squid_logd)
		dr_say(&d->r, DR_OK, "squid", NULL, "logs through egressaudit-logd (logfile_daemon)");
	if (nnames == 0) {
		if (!d->squid_logd)
			dr_say(&d->r, DR_FAIL, "squid",
			       "install -m 0644 /usr/share/doc/egressaudit/examples/squid-egressaudit.conf /etc/squid/conf.d/egressaudit.conf && squid -k parse && squid -k reconfigure",
			       "%s sends no request to icap://...%s and does not use egressaudit-logd", d->squid_conf, want);
		return;
	}
	l = dr_conf_last(&d->sq, "icap_enable");
	if (!l || l->argc < 2 || !word_is(l->argv[1], "on"))
		dr_say(&d->r, DR_FAIL, "squid", "add 'icap_enable on' to /etc/squid/conf.d/egressaudit.conf, then squid -k reconfigure",
		       "ICAP is off in %s (icap_enable)", d->squid_conf);
	if (!reqmod)
		dr_say(&d->r, DR_FAIL, "squid", "use /usr/share/doc/egressaudit/examples/squid-egressaudit.conf",
		       "no reqmod_precache service for %s: requests are not recorded", want + 1);
	else
		dr_say(&d->r, DR_OK, "squid", NULL, "sends requests to icap://...%s (%s%s)", want,
		       respmod ? "REQMOD and RESPMOD" : "REQMOD only", bypass_off ? "" : ", bypass=on");
	if (reqmod && !respmod)
		dr_say(&d->r, DR_WARN, "squid", "add the respmod_precache service of /usr/share/doc/egressaudit/examples/squid-egressaudit.conf",
		       "no respmod_precache service: outcomes (allowed, refused upstream) are not recorded");
	if (bypass_off)
		dr_say(&d->r, DR_WARN, "squid", "add bypass=on to the icap_service lines",
		       "bypass=off: Squid fails requests whenever c-icap is down");

	/* Scope: every catalogue host the service should see must pass its adaptation_access. */
	if (d->cat) {
		size_t missed = 0, checked = 0;
		char first[MAX_SCOPE][256];

		for (size_t i = 0; i < d->cat->nentries; i++) {
			char host[256];
			bool seen = false;

			if (!sample_host(d->cat->entries[i], host, sizeof(host)))
				continue;
			checked++;
			for (size_t n = 0; n < nnames && !seen; n++)
				seen = adapted(&d->sq, names[n], host);
			if (!seen && missed++ < MAX_SCOPE)
				snprintf(first[missed - 1], sizeof(first[0]), "%s", host);
		}
		if (missed) {
			char list[MAX_SCOPE * 260] = "";

			for (size_t i = 0; i < missed && i < MAX_SCOPE; i++) {
				size_t len = strlen(list);

				snprintf(list + len, sizeof(list) - len, "%s%s", i ? ", " : "", first[i]);
			}
			dr_say(&d->r, DR_WARN, "squid",
			       "regenerate the ACL that adaptation_access uses from this catalogue (egressaudit squid-acl), then squid -k reconfigure",
			       "%zu of %zu catalogue hosts are never sent to the service by adaptation_access: %s%s",
			       missed, checked, list, missed > MAX_SCOPE ? ", ..." : "");
		} else {
			dr_say(&d->r, DR_OK, "squid", NULL, "adaptation_access sends all %zu catalogue hosts to the service", checked);
		}
	}

	/* c-icap serves MaxServers x ThreadsPerChild connections at once;
	 * Squid opens up to max-conn per service and worker. */
	if (d->ci_ok) {
		workers = conf_long(&d->sq, "workers", 1);
		capacity = conf_long(&d->ci, "MaxServers", 10) * conf_long(&d->ci, "ThreadsPerChild", 10);
		if (max_conn == 0)
			dr_say(&d->r, DR_WARN, "c-icap",
			       fixf(d, "add max-conn=%ld to each icap_service line of the service, then squid -k reconfigure",
				    capacity / (long)nservices / workers > 0 ? capacity / (long)nservices / workers : 1),
			       "Squid's icap_service lines have no max-conn= (c-icap announces no Max-Connections): past c-icap's %ld threads (MaxServers x ThreadsPerChild) Squid's ICAP connections wait for a free one",
			       capacity);
		else if (max_conn * workers > capacity)
			dr_say(&d->r, DR_WARN, "c-icap",
			       fixf(d, "set MaxServers %ld in %s, then systemctl restart c-icap",
				    (max_conn * workers + conf_long(&d->ci, "ThreadsPerChild", 10) - 1) /
				    conf_long(&d->ci, "ThreadsPerChild", 10), d->cicap_conf),
			       "%ld threads (MaxServers x ThreadsPerChild) for up to %ld connections from Squid (%ld worker(s) x max-conn %ld)",
			       capacity, max_conn * workers, workers, max_conn);
		else
			dr_say(&d->r, DR_OK, "c-icap", NULL, "%ld threads for up to %ld connections from Squid",
			       capacity, max_conn * workers);
	}
}

/* ---- egressaudit-logd ------------------------------------------------------------------ */

/* Squid starts the log daemon as its cache_effective_user, which must be
 * able to write the database logd.conf names. */
static void check_logd(struct doctor *d)
{
	const struct dr_line *l;
	struct dr_conf lc;
	struct passwd *pw;
	gid_t groups[256];
	int ngroups = 256;
	char dir[4096], *slash;
	const char *db = NULL, *user;
	struct stat st;

	if (!d->sq_ok || !d->squid_logd)
		return;
	if (dr_conf_read(&lc, d->logd_conf, "") < 0) {
		dr_say(&d->r, DR_FAIL, "logd", "apt-get install --reinstall -o Dpkg::Options::=--force-confmiss egressaudit (it brings back /etc/egressaudit/logd.conf)",
		       "Squid logs through egressaudit-logd, but %s", lc.errmsg);
		dr_conf_free(&lc);
		return;
	}
	if ((l = dr_conf_last(&lc, "database")) && l->argc > 1)
		db = l->argv[1];
	if (!db) {
		dr_say(&d->r, DR_FAIL, "logd", fixf(d, "add 'database /var/lib/egressaudit/audit.db' to %s", d->logd_conf),
		       "%s names no database: egressaudit-logd records nothing", d->logd_conf);
		dr_conf_free(&lc);
		return;
	}
	snprintf(dir, sizeof(dir), "%s", db);
	slash = strrchr(dir, '/');
	if (slash && slash != dir)
		*slash = '\0';
	l = dr_conf_last(&d->sq, "cache_effective_user");
	user = l && l->argc > 1 ? l->argv[1] : "proxy";
	if (!(pw = getpwnam(user))) {
		dr_say(&d->r, DR_FAIL, "logd", NULL, "Squid's user %s does not exist", user);
	} else {
		if (getgrouplist(user, pw->pw_gid, groups, &ngroups) < 0)
			ngroups = 0;
		if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
			dr_say(&d->r, DR_FAIL, "logd", fixf(d, "install -d -o %s -m 0750 %s", user, dir),
			       "the directory of logd's database %s does not exist", db);
		else if (!may_write(&st, pw->pw_uid, groups, ngroups))
			dr_say(&d->r, DR_FAIL, "logd",
			       fixf(d, "give egressaudit-logd a database of its own: 'database /var/lib/egressaudit-logd/audit.db' in %s, install -d -o %s -m 0750 /var/lib/egressaudit-logd, and report with both -d",
				    d->logd_conf, user),
			       "%s is not writable by %s, the user Squid runs egressaudit-logd as: it records nothing", dir, user);
		else
			dr_say(&d->r, DR_OK, "logd", NULL, "egressaudit-logd (as %s) can write %s", user, db);
	}
	dr_conf_free(&lc);
}

/* ---- what the database says ----------------------------------------------------------- */

struct drops {
	char text[512];
	uint64_t total;
};

static int add_drop(const char *name, uint64_t value, void *ctx)
{
	struct drops *dr = ctx;
	size_t len = strlen(dr->text);

	if (value) {
		dr->total += value;
		snprintf(dr->text + len, sizeof(dr->text) - len, "%s%s %" PRIu64, len ? ", " : "", name, value);
	}
	return 0;
}

static void age_text(time_t then, time_t now, char *buf, size_t len)
{
	long s = (long)(now - then);

	if (s < 120)
		snprintf(buf, len, "%ld s ago", s);
	else if (s < 7200)
		snprintf(buf, len, "%ld min ago", s / 60);
	else
		snprintf(buf, len, "%ld h ago", s / 3600);
}

static void check_database(struct doctor *d)
{
	struct ea_store *s;
	struct drops drops = { "", 0 };
	time_t now = time(NULL), icap = 0, logged = 0, import = 0;
	long max_age = d->max_age_hours * 3600;
	char age[64];
	struct stat st;

	if (stat(d->db_path, &st) < 0) {
		dr_say(&d->r, DR_WARN, "recording", "send a request to a vendor host through Squid and run egressaudit doctor again",
		       "no database at %s yet: nothing recorded", d->db_path);
		return;
	}
	if (ea_store_open_readonly(d->db_path, &s) != EA_STORE_OK) {
		dr_say(&d->r, DR_FAIL, "recording", NULL, "%s", ea_store_errmsg(s));
		ea_store_close(s);
		return;
	}
	if (ea_store_last_hit(s, "icap", &icap) != EA_STORE_OK ||
	    ea_store_last_hit(s, "log", &logged) != EA_STORE_OK ||
	    ea_store_last_import(s, &import) != EA_STORE_OK ||
	    ea_store_each_counter(s, add_drop, &drops) < 0) {
		dr_say(&d->r, DR_FAIL, "recording", NULL, "%s", ea_store_errmsg(s));
		ea_store_close(s);
		return;
	}
	ea_store_close(s);
	if (icap == 0 && logged == 0)
		dr_say(&d->r, DR_WARN, "recording", "check the c-icap server log (/var/log/c-icap/server.log) for 'egressaudit:' lines",
		       "%s has no vendor request recorded yet", d->db_path);
	else if (now - (icap > logged ? icap : logged) > max_age) {
		age_text(icap > logged ? icap : logged, now, age, sizeof(age));
		dr_say(&d->r, DR_WARN, "recording", "check that Squid still sends requests (squid -k parse) and the c-icap server log",
		       "the newest vendor request in %s was recorded %s (more than %ld h)", d->db_path, age, d->max_age_hours);
	} else {
		age_text(icap > logged ? icap : logged, now, age, sizeof(age));
		dr_say(&d->r, DR_OK, "recording", NULL, "the newest vendor request was recorded %s", age);
	}
	if (drops.total)
		dr_say(&d->r, DR_WARN, "recording",
		       "raise egressaudit.QueueSize, or look in the c-icap server log for database errors",
		       "%" PRIu64 " hits were dropped (%s)", drops.total, drops.text);
	else
		dr_say(&d->r, DR_OK, "recording", NULL, "no hit dropped");
	if (import) {
		age_text(import, now, age, sizeof(age));
		if (now - import > max_age)
			dr_say(&d->r, DR_WARN, "import", "systemctl enable --now egressaudit-import.timer",
			       "the last access-log import was %s (more than %ld h)", age, d->max_age_hours);
		else
			dr_say(&d->r, DR_OK, "import", NULL, "the last access-log import was %s", age);
	} else if (!d->squid_logd) {
		dr_say(&d->r, DR_WARN, "import", "systemctl enable --now egressaudit-import.timer (or log through egressaudit-logd)",
		       "Squid's access log was never imported: denials and tunnels that ICAP cannot see are missing");
	}
}

int ea_cmd_doctor(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cicap-conf", required_argument, NULL, 'C' },
		{ "squid-conf", required_argument, NULL, 'S' },
		{ "logd-conf", required_argument, NULL, 'L' },
		{ "catalogue", required_argument, NULL, 'c' },
		{ "database", required_argument, NULL, 'd' },
		{ "user", required_argument, NULL, 'u' },
		{ "max-age", required_argument, NULL, 'a' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct doctor d = {
		.cicap_conf = "/etc/c-icap/c-icap.conf",
		.squid_conf = "/etc/squid/squid.conf",
		.logd_conf = EA_SYSCONFDIR "/egressaudit/logd.conf",
		.max_age_hours = 24,
	};
	char *end;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+c:d:u:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'C': d.cicap_conf = optarg; break;
		case 'S': d.squid_conf = optarg; break;
		case 'L': d.logd_conf = optarg; break;
		case 'c': cli_paths_add(&d.cats, optarg); break;
		case 'd': d.db = optarg; break;
		case 'u': d.user = optarg; break;
		case 'a':
			d.max_age_hours = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || d.max_age_hours <= 0) {
				cli_error("doctor", "--max-age wants a number of hours, not '%s'", optarg);
				cli_paths_free(&d.cats);
				return EA_EXIT_ERROR;
			}
			break;
		case 'q': d.r.quiet = true; break;
		case 'h': doctor_usage(stdout); cli_paths_free(&d.cats); return EA_EXIT_OK;
		default: doctor_usage(stderr); cli_paths_free(&d.cats); return EA_EXIT_ERROR;
		}
	}
	if (optind != argc) {
		cli_error("doctor", "unexpected argument '%s'", argv[optind]);
		cli_paths_free(&d.cats);
		return EA_EXIT_ERROR;
	}
	check_cicap(&d);
	check_catalogue(&d);
	check_database_dir(&d);
	check_squid(&d);
	check_logd(&d);
	check_database(&d);
	printf("doctor: %u OK, %u warning(s), %u failure(s)\n", d.r.count[DR_OK], d.r.count[DR_WARN], d.r.count[DR_FAIL]);
	rc = d.r.count[DR_FAIL] ? 2 : d.r.count[DR_WARN] ? 1 : 0;
	ea_catalogue_free(d.cat);
	dr_conf_free(&d.ci);
	dr_conf_free(&d.sq);
	cli_paths_free(&d.cats);
	return rc;
}
