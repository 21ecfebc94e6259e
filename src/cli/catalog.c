/* egressaudit catalog: the loaded catalogue with every value resolved
 * (inherited from group and defaults), as text or JSON. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "core/json.h"

static void catalog_usage(FILE *out)
{
	fputs("usage: egressaudit catalog [-c PATH]... [--format text|json]\n"
	      "       egressaudit catalog diff [OPTIONS] OLD NEW   (see catalog diff --help)\n"
	      "  -c, --catalogue PATH  a catalogue file or directory (repeatable; default: the installed rules)\n"
	      "  -f, --format FORMAT   text (default) or json\n", out);
}

static void json_entry(struct ea_json *j, const struct ea_entry *e)
{
	ea_json_object(j);
	ea_json_member_str(j, "id", e->id);
	ea_json_member_str(j, "vendor", e->vendor->id);
	ea_json_member_str(j, "product", e->product ? e->product->id : NULL);
	ea_json_member_str(j, "group", e->group);
	cli_json_entry_rule(j, e);
	ea_json_member_str(j, "purpose", e->purpose);
	ea_json_member_str(j, "impact", e->impact);
	ea_json_member_str(j, "note", e->note);
	ea_json_member_str(j, "example", e->example);
	ea_json_member_str(j, "file", e->file);
	ea_json_member_uint(j, "line", e->line);
	ea_json_end(j);
}

/* Ids to names, as an object. */
static void json_named(struct ea_json *j, const char *key, const struct ea_named *v, size_t n)
{
	ea_json_key(j, key);
	ea_json_object(j);
	for (size_t i = 0; i < n; i++)
		ea_json_member_str(j, v[i].id, v[i].name);
	ea_json_end(j);
}

static void json_vendor(struct ea_json *j, const struct ea_vendor *v)
{
	ea_json_object(j);
	ea_json_member_str(j, "id", v->id);
	ea_json_member_str(j, "name", v->name);
	ea_json_member_str(j, "source_title", v->source_title);
	ea_json_member_str(j, "source_url", v->source_url);
	ea_json_member_str(j, "updated", v->updated[0] ? v->updated : NULL);
	ea_json_member_str(j, "transcribed", v->transcribed[0] ? v->transcribed : NULL);
	ea_json_key(j, "domains");
	ea_json_array(j);
	for (size_t i = 0; i < v->ndomains; i++)
		ea_json_string(j, v->domains[i]);
	ea_json_end(j);
	json_named(j, "products", v->products, v->nproducts);
	json_named(j, "conditions", v->conditions, v->nconditions);
	ea_json_end(j);
}

static int print_json(FILE *out, const struct ea_catalogue *cat)
{
	struct ea_json j;

	ea_json_begin(&j, out);
	ea_json_object(&j);
	ea_json_key(&j, "vendors");
	ea_json_array(&j);
	for (size_t i = 0; i < cat->nvendors; i++)
		json_vendor(&j, cat->vendors[i]);
	ea_json_end(&j);
	ea_json_newline(&j);
	ea_json_key(&j, "entries");
	ea_json_array(&j);
	for (size_t i = 0; i < cat->nentries; i++) {
		ea_json_newline(&j);
		json_entry(&j, cat->entries[i]);
	}
	ea_json_newline(&j);
	ea_json_end(&j);
	ea_json_end(&j);
	return ea_json_finish(&j);
}

static void print_text(FILE *out, const struct ea_catalogue *cat)
{
	for (size_t v = 0; v < cat->nvendors; v++) {
		const struct ea_vendor *vd = cat->vendors[v];

		fprintf(out, "%s (%s): %s%s%s\n", vd->name, vd->id,
			vd->source_title ? vd->source_title : "no source document",
			vd->updated[0] ? ", updated " : "", vd->updated);
		for (size_t i = 0; i < cat->nentries; i++) {
			const struct ea_entry *e = cat->entries[i];
			char ports[64] = "";
			size_t len = 0;

			if (e->vendor != vd)
				continue;
			for (size_t p = 0; p < e->nports && len < sizeof(ports) - 8; p++)
				len += (size_t)snprintf(ports + len, sizeof(ports) - len, "%s%u",
							p ? "," : "", e->ports[p]);
			fprintf(out, "  %-40s %-8s %-55s %-8s %-11s %s%s%s%s%s%s%s\n",
				e->id, ea_kind_name(e->kind),
				e->pattern ? e->pattern : (e->example ? e->example : "-"),
				ports, ea_level_name(e->level),
				e->product ? e->product->id : "all",
				e->condition ? " if:" : "", e->condition ? e->condition->id : "",
				e->region ? " region:" : "", e->region ? e->region : "",
				e->valid_until[0] ? " until:" : "", e->valid_until);
		}
	}
}

int ea_cmd_catalog(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "catalogue", required_argument, NULL, 'c' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_paths paths = { 0 };
	struct ea_catalogue *cat;
	const char *format = "text";
	int c;

	if (argc > 1 && strcmp(argv[1], "diff") == 0)
		return ea_cmd_catalog_diff(argc - 1, argv + 1);
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': cli_paths_add(&paths, optarg); break;
		case 'f': format = optarg; break;
		case 'h': catalog_usage(stdout); cli_paths_free(&paths); return EA_EXIT_OK;
		default: catalog_usage(stderr); cli_paths_free(&paths); return EA_EXIT_ERROR;
		}
	}
	if (optind < argc || (strcmp(format, "text") != 0 && strcmp(format, "json") != 0)) {
		cli_error("catalog", optind < argc ? "unexpected argument '%s'" : "unknown format '%s'",
			  optind < argc ? argv[optind] : format);
		cli_paths_free(&paths);
		return EA_EXIT_ERROR;
	}
	cat = cli_load_catalogue(&paths, true);
	if (!cat)
		return EA_EXIT_ERROR;
	if (strcmp(format, "json") == 0)
		print_json(stdout, cat);
	else
		print_text(stdout, cat);
	ea_catalogue_free(cat);
	return EA_EXIT_OK;
}
