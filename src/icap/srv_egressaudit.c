/* srv_egressaudit: the c-icap service module. Glue only: it takes the host,
 * port, client and user from the ICAP request, asks the audit engine for the
 * hits, queues them for this child's writer thread, and answers 204 from the
 * preview handler so Squid never streams a body through it. Any internal
 * failure is logged, counted and answered 204 as well: fail open. */
#include "c-icap.h"
#include "service.h"
#include "header.h"
#include "simple_api.h"
#include "debug.h"
#include "commands.h"
#include "stats.h"
#include "cfg_param.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/audit.h"
#include "core/http_msg.h"
#include "icap/last_good.h"
#include "store/store.h"

#define EA_MAX_CATALOGUES 32

/* ---- configuration (c-icap.conf: egressaudit.NAME VALUE) ---- */

static char *catalogue_paths[EA_MAX_CATALOGUES];
static int ncatalogue_paths;
static char *database_path;
static char *proxy_name;
static char *client_ip_header;
static char *user_header;
static char *last_good_dir;
static int queue_size = 8192;
static int flush_ms = 1000;
static int bucket_seconds = 3600;
static int retention_days = 90;
static int max_db_mb;
static int max_hosts;

static int cfg_catalogue(const char *directive, const char **argv, void *setdata);

static struct ci_conf_entry conf_variables[] = {
	{ "Catalogue", NULL, cfg_catalogue, "A catalogue file or directory of *.yaml (repeatable)" },
	{ "Database", &database_path, ci_cfg_set_str, "The SQLite audit database" },
	{ "ProxyName", &proxy_name, ci_cfg_set_str, "This proxy's name in reports (default: host name)" },
	{ "ClientIpHeader", &client_ip_header, ci_cfg_set_str, "ICAP header with the client address" },
	{ "UserHeader", &user_header, ci_cfg_set_str, "ICAP header with the authenticated user" },
	{ "LastGoodCatalogue", &last_good_dir, ci_cfg_set_str,
	  "Where a copy of the last catalogue that loaded is kept (default: beside the database)" },
	{ "QueueSize", &queue_size, ci_cfg_set_int, "Hits held in memory per child" },
	{ "FlushInterval", &flush_ms, ci_cfg_set_int, "Longest a hit waits in memory (ms)" },
	{ "BucketSeconds", &bucket_seconds, ci_cfg_set_int, "Aggregation interval (s)" },
	{ "RetentionDays", &retention_days, ci_cfg_set_int, "Days of hits kept (0: forever)" },
	{ "MaxDatabaseMB", &max_db_mb, ci_cfg_set_int, "Size limit of the database (0: none)" },
	{ "MaxHosts", &max_hosts, ci_cfg_set_int,
	  "Named hosts kept per bucket and entry once the bucket closes (default 32)" },
	{ NULL, NULL, NULL, NULL }
};

static int cfg_catalogue(const char *directive, const char **argv, void *setdata)
{
	(void)setdata;
	if (!argv[0]) {
		ci_debug_printf(1, "egressaudit: %s needs a path\n", directive);
		return 0;
	}
	if (ncatalogue_paths == EA_MAX_CATALOGUES) {
		ci_debug_printf(1, "egressaudit: more than %d %s lines\n", EA_MAX_CATALOGUES, directive);
		return 0;
	}
	catalogue_paths[ncatalogue_paths] = strdup(argv[0]);
	if (!catalogue_paths[ncatalogue_paths])
		return 0;
	ncatalogue_paths++;
	return 1;
}

static const char *default_str(const char *value, const char *fallback)
{
	return value && *value ? value : fallback;
}

/* ---- state ---- */

/* The matcher in force; a reload publishes a new one, requests in flight
 * finish on the one they took. Loaded in the master, inherited by children. */
static struct ea_matcher_slot matcher_slot;
/* This child's queue and writer thread: created after fork. */
static struct ea_store_queue *queue;

/* c-icap statistics (the info service shows them): loss is never silent. */
static int stat_hits = -1, stat_bad_host = -1, stat_no_catalogue = -1,
	   stat_no_queue = -1, stat_queue_full = -1, stat_truncated = -1;

static void stat_inc(int id)
{
	if (id >= 0)
		ci_stat_uint64_inc(id, 1);
}

/* ---- catalogue loading and reload ---- */

/* Load paths into a matcher, logging each diagnostic (errors at level 1). */
static struct ea_matcher *load_logged(const char *const *paths, size_t npaths)
{
	struct ea_matcher *m;
	struct ea_diags diags;

	ea_diags_init(&diags);
	ea_audit_load(paths, npaths, &m, &diags);
	for (size_t i = 0; i < diags.count; i++) {
		const struct ea_diag *dg = &diags.items[i];
		char *line;

		if (dg->waived || !(line = ea_diag_line(dg)))
			continue;
		ci_debug_printf(dg->severity == EA_ERROR ? 1 : 3, "egressaudit: %s\n", line);
		free(line);
	}
	ea_diags_clear(&diags);
	return m;
}

static const char *database(void)
{
	return default_str(database_path, "/var/lib/egressaudit/audit.db");
}

/* "catalogue.last-good" beside the database unless configured. */
static void last_good_path(char *out, size_t len)
{
	const char *db = database(), *slash = strrchr(db, '/');

	if (last_good_dir && *last_good_dir)
		snprintf(out, len, "%s", last_good_dir);
	else if (slash)
		snprintf(out, len, "%.*s/catalogue.last-good", (int)(slash - db), db);
	else
		snprintf(out, len, "catalogue.last-good");
}

/* With no catalogue in force (a start, or c-icap's reconfigure, which
 * unloads every module) a broken configured catalogue would leave none:
 * fall back to the copy of the last one that loaded. */
static struct ea_matcher *load_last_good(const char *why)
{
	const char *paths[1];
	char dir[4096];
	struct ea_matcher *m;

	last_good_path(dir, sizeof(dir));
	if (access(dir, F_OK) != 0)
		return NULL;
	paths[0] = dir;
	m = load_logged(paths, 1);
	if (m)
		ci_debug_printf(1, "egressaudit: %s: using the last good catalogue, saved in %s\n", why, dir);
	return m;
}

/* Load the configured catalogue and publish it; on failure keep the one in
 * force, or else the last good one, and say so. The master process (which
 * forks every child afterwards) keeps the last good copy up to date. */
static int load_catalogue(const char *why, int in_master)
{
	struct ea_matcher *m, *old;

	if (ncatalogue_paths == 0) {
		ci_debug_printf(1, "egressaudit: no egressaudit.Catalogue configured; recording nothing\n");
		return -1;
	}
	m = load_logged((const char *const *)catalogue_paths, (size_t)ncatalogue_paths);
	if (!m) {
		old = ea_matcher_acquire(&matcher_slot);
		if (old) {
			ci_debug_printf(1, "egressaudit: %s: the catalogue has errors (above); "
					"the previous catalogue stays in force\n", why);
			ea_matcher_unref(old);
			return -1;
		}
		ci_debug_printf(1, "egressaudit: %s: the catalogue has errors (above)\n", why);
		m = load_last_good(why);
		if (!m) {
			ci_debug_printf(1, "egressaudit: %s: no catalogue is loaded, recording nothing\n", why);
			return -1;
		}
		ea_matcher_swap(&matcher_slot, m);
		return -1;
	}
	ea_matcher_swap(&matcher_slot, m);
	/* Level 1, like the failure: Debian's c-icap.conf has DebugLevel 1, and
	 * an administrator who wrote egressaudit:reload to the FIFO (which has
	 * no reply) must be able to see that it worked. */
	ci_debug_printf(1, "egressaudit: %s: catalogue loaded\n", why);
	if (in_master) {
		char dir[4096];
		const char *failed;

		last_good_path(dir, sizeof(dir));
		if (ea_last_good_save(m, dir, &failed) < 0)
			ci_debug_printf(1, "egressaudit: %s: cannot keep a copy of the catalogue in %s: %s: %s\n",
					why, dir, failed, strerror(errno));
	}
	return 0;
}

static void reload_command(const char *name, int type, const char **argv)
{
	(void)argv;
	load_catalogue(name, type == CI_CMD_MONITOR_PROC);
}

/* ---- the writer, one per child ---- */

static void store_log(void *ctx, enum ea_store_log_level level, const char *msg)
{
	/* Errors and the recovery that ends them ("writing again") at level 1,
	 * so the server log never leaves a failure looking unresolved. */
	int debug_level = level == EA_STORE_LOG_WARNING ? 2 : 1;

	(void)ctx;
	ci_debug_printf(debug_level, "egressaudit: %s\n", msg);
}

static void child_start(const char *name, int type, void *data)
{
	struct ea_store_queue_options opt;

	(void)name;
	(void)type;
	(void)data;
	memset(&opt, 0, sizeof(opt));
	opt.store.proxy_name = proxy_name;
	opt.store.bucket_seconds = bucket_seconds > 0 ? (unsigned)bucket_seconds : 0;
	opt.store.max_bytes = max_db_mb > 0 ? (uint64_t)max_db_mb << 20 : 0;
	opt.store.max_hosts = max_hosts > 0 ? (unsigned)max_hosts : 0;
	opt.capacity = queue_size > 0 ? (size_t)queue_size : 0;
	opt.flush_ms = flush_ms > 0 ? (unsigned)flush_ms : 0;
	opt.retention_days = retention_days > 0 ? (unsigned)retention_days : 0;
	opt.log = store_log;
	if (ea_store_queue_new(database(), &opt, &queue) != EA_STORE_OK) {
		ci_debug_printf(1, "egressaudit: cannot start the store writer: %s; recording nothing\n",
				ea_store_queue_errmsg(queue));
		ea_store_queue_free(queue);
		queue = NULL;
	}
}

static void child_stop(const char *name, int type, void *data)
{
	(void)name;
	(void)type;
	(void)data;
	ea_store_queue_free(queue); /* flushes what is queued, bounded in time */
	queue = NULL;
}

/* ---- the service ---- */

static int egressaudit_init_service(ci_service_xdata_t *srv_xdata, struct ci_server_conf *server_conf)
{
	(void)server_conf;
	/* Headers only: Preview 0 lets Squid send no body, and 204 ends the
	 * transaction as soon as the headers are read. */
	ci_service_set_preview(srv_xdata, 0);
	ci_service_set_transfer_preview(srv_xdata, "*");
	ci_service_enable_204(srv_xdata);
	ci_service_set_xopts(srv_xdata, CI_XCLIENTIP | CI_XAUTHENTICATEDUSER);
	stat_hits = ci_stat_entry_register("vendor hits", STAT_INT64_T, "egressaudit");
	stat_bad_host = ci_stat_entry_register("invalid hosts", STAT_INT64_T, "egressaudit");
	stat_no_catalogue = ci_stat_entry_register("requests without catalogue", STAT_INT64_T, "egressaudit");
	stat_no_queue = ci_stat_entry_register("hits without store", STAT_INT64_T, "egressaudit");
	stat_queue_full = ci_stat_entry_register("hits dropped queue full", STAT_INT64_T, "egressaudit");
	stat_truncated = ci_stat_entry_register("matches beyond limit", STAT_INT64_T, "egressaudit");
	ea_matcher_slot_init(&matcher_slot, NULL);
	ci_command_register_ctl_cmd("egressaudit:reload", CI_CMD_MONITOR_PROC | CI_CMD_CHILDS_PROC,
				    reload_command);
	ci_command_register_action("egressaudit:child_start", CI_CMD_CHILD_START, NULL, child_start);
	ci_command_register_action("egressaudit:child_stop", CI_CMD_CHILD_STOP, NULL, child_stop);
	return CI_OK;
}

/* After the whole configuration is read: the catalogue paths are known. */
static int egressaudit_post_init_service(ci_service_xdata_t *srv_xdata, struct ci_server_conf *server_conf)
{
	(void)srv_xdata;
	(void)server_conf;
	load_catalogue("start", 1);
	return CI_OK; /* even without a catalogue: fail open, never stop c-icap */
}

static void egressaudit_close_service(void)
{
	ea_matcher_swap(&matcher_slot, NULL);
	for (int i = 0; i < ncatalogue_paths; i++)
		free(catalogue_paths[i]);
	ncatalogue_paths = 0;
}

static void *egressaudit_init_request_data(ci_request_t *req)
{
	(void)req;
	return NULL; /* nothing per request: all work happens in the preview */
}

static void egressaudit_release_request_data(void *data)
{
	(void)data;
}

static const char *icap_header(ci_request_t *req, const char *name)
{
	const char *v = ci_headers_value(req->request_header, name);

	return v && *v && strcmp(v, "-") != 0 ? v : NULL;
}

/* Each ICAP transaction records what it can know (tests/e2e/FINDINGS.md):
 * REQMOD sees every request that passed http_access, CONNECT and those that
 * fail later included, but before any outcome: it records "unknown", i.e.
 * "requested". RESPMOD sees only responses from an origin or upstream
 * proxy, never Squid's own error pages nor tunnels: it records the outcome.
 * So one request makes one unknown row and at most one outcome row; the
 * report reads the first as attempts and the second as results. */
static enum ea_outcome transaction_outcome(ci_request_t *req)
{
	ci_headers_list_t *resp;
	const char *status_line;
	int status;

	if (ci_req_type(req) != ICAP_RESPMOD)
		return EA_OUTCOME_UNKNOWN;
	resp = ci_http_response_headers(req);
	status_line = resp && resp->used ? resp->headers[0] : NULL;
	status = status_line ? ea_response_status(status_line, strlen(status_line)) : -1;
	return ea_outcome_classify(status, resp ? ci_headers_value(resp, "X-Squid-Error") : NULL);
}

static void record(ci_request_t *req)
{
	ci_headers_list_t *http = ci_http_request_headers(req);
	struct ea_hit hits[EA_AUDIT_MAX_HITS];
	struct ea_target target;
	struct ea_matcher *m;
	const char *line, *why = NULL;
	size_t n;
	enum ea_outcome outcome;

	if (!http || !http->used)
		return;
	line = http->headers[0];
	outcome = transaction_outcome(req);
	if (ea_request_target(line, strlen(line), ci_headers_value(http, "Host"), 80, &target, &why) < 0) {
		stat_inc(stat_bad_host);
		ci_debug_printf(5, "egressaudit: skipped '%.200s': %s\n", line, why);
		return;
	}
	m = ea_matcher_acquire(&matcher_slot);
	if (!m) {
		stat_inc(stat_no_catalogue);
		return;
	}
	n = ea_audit_hits(m, &target, time(NULL),
			  icap_header(req, default_str(client_ip_header, "X-Client-IP")),
			  icap_header(req, default_str(user_header, "X-Authenticated-User")),
			  outcome, EA_SOURCE_ICAP, hits, EA_AUDIT_MAX_HITS);
	ea_matcher_unref(m);
	if (n > EA_AUDIT_MAX_HITS) {
		stat_inc(stat_truncated);
		n = EA_AUDIT_MAX_HITS;
	}
	if (n) {
		ci_request_set_str_attribute(req, "egressaudit:entry", hits[0].entry[0] ? hits[0].entry : "uncatalogued");
		ci_request_set_str_attribute(req, "egressaudit:outcome", ea_outcome_name(outcome));
	}
	for (size_t i = 0; i < n; i++) {
		stat_inc(stat_hits);
		if (!queue)
			stat_inc(stat_no_queue);
		else if (ea_store_queue_push(queue, &hits[i]) != 0)
			stat_inc(stat_queue_full);
	}
}

static int egressaudit_check_preview(char *preview_data, int preview_data_len, ci_request_t *req)
{
	(void)preview_data;
	(void)preview_data_len;
	record(req);
	return CI_MOD_ALLOW204;
}

/* Reached only if a client sent data after our 204 was refused; c-icap
 * echoes such bodies itself (FakeAllow204), so there is nothing to do. */
static int egressaudit_end_of_data(ci_request_t *req)
{
	(void)req;
	return CI_MOD_DONE;
}

static int egressaudit_io(char *wbuf, int *wlen, char *rbuf, int *rlen, int iseof, ci_request_t *req)
{
	(void)wbuf;
	(void)rbuf;
	(void)rlen;
	(void)iseof;
	(void)req;
	if (wlen)
		*wlen = CI_EOF;
	return CI_OK;
}

CI_DECLARE_MOD_DATA ci_service_module_t service = {
	"egressaudit",
	"Audits proxied requests to security vendors' required endpoints",
	ICAP_REQMOD | ICAP_RESPMOD,
	egressaudit_init_service,
	egressaudit_post_init_service,
	egressaudit_close_service,
	egressaudit_init_request_data,
	egressaudit_release_request_data,
	egressaudit_check_preview,
	egressaudit_end_of_data,
	egressaudit_io,
	conf_variables,
	NULL
};
