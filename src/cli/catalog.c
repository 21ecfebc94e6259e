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

static void json_ports(FILE *out, const struct ea_entry *e)
{
	fputc('[', out);
	for (size_t i = 0; i < e->nports; i++)
		fprintf(out, "%s%u", i ? "," : "", e->ports[i]);
	fputc(']', out);
}

static void json_entry(FILE *out, const struct ea_entry *e)
{
	fputc('{', out);
	ea_json_key(out, "id", 1); ea_json_string(out, e->id);
	ea_json_key(out, "vendor", 0); ea_json_string(out, e->vendor->id);
	ea_json_key(out, "product", 0); ea_json_string(out, e->product ? e->product->id : NULL);
	ea_json_key(out, "group", 0); ea_json_string(out, e->group);
	ea_json_key(out, "kind", 0); ea_json_string(out, ea_kind_name(e->kind));
	ea_json_key(out, "pattern", 0); ea_json_string(out, e->pattern);
	ea_json_key(out, "ports", 0); json_ports(out, e);
	ea_json_key(out, "level", 0); ea_json_string(out, ea_level_name(e->level));
	ea_json_key(out, "condition", 0); ea_json_string(out, e->condition ? e->condition->id : NULL);
	ea_json_key(out, "region", 0); ea_json_string(out, e->region);
	ea_json_key(out, "valid_until", 0); ea_json_string(out, e->valid_until[0] ? e->valid_until : NULL);
	ea_json_key(out, "replaced_by", 0); ea_json_string(out, e->replaced_by);
	ea_json_key(out, "third_party", 0); fputs(e->third_party ? "true" : "false", out);
	ea_json_key(out, "no_wildcard", 0); fputs(e->no_wildcard ? "true" : "false", out);
	ea_json_key(out, "purpose", 0); ea_json_string(out, e->purpose);
	ea_json_key(out, "impact", 0); ea_json_string(out, e->impact);
	ea_json_key(out, "note", 0); ea_json_string(out, e->note);
	ea_json_key(out, "example", 0); ea_json_string(out, e->example);
	ea_json_key(out, "file", 0); ea_json_string(out, e->file);
	ea_json_key(out, "line", 0); fprintf(out, "%u", e->line);
	fputc('}', out);
}

static void json_named(FILE *out, const char *key, const struct ea_named *v, size_t n)
{
	ea_json_key(out, key, 0);
	fputc('{', out);
	for (size_t i = 0; i < n; i++) {
		ea_json_key(out, v[i].id, i == 0);
		ea_json_string(out, v[i].name);
	}
	fputc('}', out);
}

static void json_vendor(FILE *out, const struct ea_vendor *v)
{
	fputc('{', out);
	ea_json_key(out, "id", 1); ea_json_string(out, v->id);
	ea_json_key(out, "name", 0); ea_json_string(out, v->name);
	ea_json_key(out, "source_title", 0); ea_json_string(out, v->source_title);
	ea_json_key(out, "source_url", 0); ea_json_string(out, v->source_url);
	ea_json_key(out, "updated", 0); ea_json_string(out, v->updated[0] ? v->updated : NULL);
	ea_json_key(out, "transcribed", 0); ea_json_string(out, v->transcribed[0] ? v->transcribed : NULL);
	ea_json_key(out, "domains", 0);
	fputc('[', out);
	for (size_t i = 0; i < v->ndomains; i++) {
		if (i)
			fputc(',', out);
		ea_json_string(out, v->domains[i]);
	}
	fputc(']', out);
	json_named(out, "products", v->products, v->nproducts);
	json_named(out, "conditions", v->conditions, v->nconditions);
	fputc('}', out);
}

static void print_json(FILE *out, const struct ea_catalogue *cat)
{
	fputs("{\"vendors\":[", out);
	for (size_t i = 0; i < cat->nvendors; i++) {
		if (i)
			fputc(',', out);
		json_vendor(out, cat->vendors[i]);
	}
	fputs("],\n\"entries\":[\n", out);
	for (size_t i = 0; i < cat->nentries; i++) {
		json_entry(out, cat->entries[i]);
		fputs(i + 1 < cat->nentries ? ",\n" : "\n", out);
	}
	fputs("]}\n", out);
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
	cli_paths_free(&paths);
	if (!cat)
		return EA_EXIT_ERROR;
	if (format[0] == 'j')
		print_json(stdout, cat);
	else
		print_text(stdout, cat);
	ea_catalogue_free(cat);
	return EA_EXIT_OK;
}
