/* egressaudit squid-acl: print the Squid ACLs and http_access lines that
 * allow exactly the catalogue's endpoints in scope, or (--icap-scope) the
 * adaptation_access rules that send only vendor traffic to the module. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "report/profile.h"
#include "report/squid_acl.h"

static void squid_acl_usage(FILE *out)
{
	fputs("usage: egressaudit squid-acl [-c PATH]... [-p PROFILE] [OPTIONS]\n"
	      "  -c, --catalogue PATH  a catalogue file or directory (repeatable; default: the installed rules)\n"
	      "  -p, --profile FILE    only the vendors, products, features and regions the site runs;\n"
	      "                        site-specific entries get their hosts from it\n"
	      "      --optional        also allow `optional` entries (the vendors' alternatives)\n"
	      "      --as-of DATE      leave out entries retired before DATE (default: today)\n"
	      "      --prefix NAME     ACL name prefix (default: egressaudit)\n"
	      "      --icap-scope      print the ICAP scope instead: adaptation_access rules that send\n"
	      "                        the service only hosts under vendor domains or named by an entry\n"
	      "      --third-party-wildcards  with --icap-scope: also *.amazonaws.com and the like\n"
	      "      --service NAME    with --icap-scope: an icap_service to scope (repeatable;\n"
	      "                        default: egressaudit_req and egressaudit_resp)\n"
	      "exit status: 0 written, 1 written but some entries in scope could not be translated, 2 an error\n", out);
}

int ea_cmd_squid_acl(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "catalogue", required_argument, NULL, 'c' },
		{ "profile", required_argument, NULL, 'p' },
		{ "optional", no_argument, NULL, 'O' },
		{ "as-of", required_argument, NULL, 'A' },
		{ "prefix", required_argument, NULL, 'P' },
		{ "icap-scope", no_argument, NULL, 'I' },
		{ "third-party-wildcards", no_argument, NULL, 'T' },
		{ "service", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const default_services[] = { "egressaudit_req", "egressaudit_resp" };
	static const char name_chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";
	struct ea_squid_acl_options opt = { 0 };
	struct ea_squid_icap_options icap = { 0 };
	const char *services[8];
	size_t nservices = 0;
	bool icap_scope = false, bad_service = false;
	struct ea_squid_acl_result res;
	struct cli_paths paths = { 0 };
	struct ea_catalogue *cat;
	struct ea_profile *profile = NULL;
	const char *profile_path = NULL;
	char today[11];
	time_t now = time(NULL);
	struct tm tm;
	int c, rc;

	localtime_r(&now, &tm);
	strftime(today, sizeof(today), "%Y-%m-%d", &tm);
	opt.as_of = today;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+c:p:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': cli_paths_add(&paths, optarg); break;
		case 'p': profile_path = optarg; break;
		case 'O': opt.optional = true; break;
		case 'A': opt.as_of = optarg; break;
		case 'P': opt.prefix = optarg; break;
		case 'I': icap_scope = true; break;
		case 'T': icap.third_party_wildcards = true; break;
		case 'S':
			if (nservices == sizeof(services) / sizeof(services[0]) || !*optarg ||
			    strspn(optarg, name_chars) != strlen(optarg))
				bad_service = true;
			else
				services[nservices++] = optarg;
			break;
		case 'h': squid_acl_usage(stdout); cli_paths_free(&paths); return EA_EXIT_OK;
		default: squid_acl_usage(stderr); cli_paths_free(&paths); return EA_EXIT_ERROR;
		}
	}
	if (optind != argc || strlen(opt.as_of) != 10 || bad_service ||
	    (!icap_scope && (icap.third_party_wildcards || nservices)) ||
	    (opt.prefix && (!*opt.prefix || strspn(opt.prefix, name_chars) != strlen(opt.prefix)))) {
		cli_error("squid-acl", optind != argc ? "unexpected argument" :
			  strlen(opt.as_of) != 10 ? "--as-of takes a date YYYY-MM-DD" :
			  bad_service ? "--service takes letters, digits, '_' and '-', at most 8 times" :
			  !icap_scope && (icap.third_party_wildcards || nservices) ?
			  "--third-party-wildcards and --service go with --icap-scope" :
			  "--prefix takes letters, digits, '_' and '-'");
		cli_paths_free(&paths);
		return EA_EXIT_ERROR;
	}
	cat = cli_load_catalogue(&paths, true);
	if (!cat)
		return EA_EXIT_ERROR;
	if (profile_path) {
		struct ea_diags diags;

		ea_diags_init(&diags);
		ea_profile_load(profile_path, cat, &profile, &diags);
		for (size_t i = 0; i < diags.count; i++)
			ea_diag_print(stderr, &diags.items[i]);
		ea_diags_clear(&diags);
		if (!profile) {
			ea_catalogue_free(cat);
			return EA_EXIT_ERROR;
		}
	}
	opt.profile = profile;
	if (icap_scope) {
		icap.profile = profile;
		icap.prefix = opt.prefix;
		icap.services = nservices ? services : default_services;
		icap.nservices = nservices ? nservices : sizeof(default_services) / sizeof(default_services[0]);
		rc = ea_squid_icap_write(stdout, cat, &icap, &res);
	} else {
		rc = ea_squid_acl_write(stdout, cat, &opt, &res);
	}
	if (fflush(stdout) != 0 || rc < 0) {
		cli_error("squid-acl", "cannot write the configuration");
		rc = EA_EXIT_ERROR;
	} else if (res.skipped) {
		cli_error("squid-acl", "%zu entries in scope were left out (see the comments in the output)",
			  res.skipped);
		rc = EA_EXIT_NOMATCH;
	} else {
		rc = EA_EXIT_OK;
	}
	ea_profile_free(profile);
	ea_catalogue_free(cat);
	return rc;
}
