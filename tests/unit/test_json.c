/* The JSON writer: separators and nesting come out right whatever the
 * caller does, every string is escaped into valid UTF-8, and a misuse is
 * refused rather than written. */
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "tap.h"

struct doc {
	struct ea_json j;
	FILE *f;
	char *text;
	size_t len;
};

static void doc_begin(struct doc *d)
{
	d->text = NULL;
	d->f = open_memstream(&d->text, &d->len);
	ea_json_begin(&d->j, d->f);
}

/* Finish, and return ea_json_finish's result; the text is in d->text. */
static int doc_end(struct doc *d)
{
	int rc = ea_json_finish(&d->j);

	fclose(d->f);
	return rc;
}

int main(void)
{
	struct doc d;
	int rc;

	doc_begin(&d);
	ea_json_object(&d.j);
	ea_json_member_str(&d.j, "a", "x");
	ea_json_key(&d.j, "list");
	ea_json_array(&d.j);
	ea_json_uint(&d.j, 1);
	ea_json_int(&d.j, -2);
	ea_json_bool(&d.j, true);
	ea_json_null(&d.j);
	ea_json_string(&d.j, NULL);
	ea_json_object(&d.j);
	ea_json_end(&d.j);
	ea_json_end(&d.j);
	ea_json_member_bool(&d.j, "b", false);
	ea_json_end(&d.j);
	rc = doc_end(&d);
	is_int(rc, 0, "a well-formed document finishes");
	is_str(d.text, "{\"a\":\"x\",\"list\":[1,-2,true,null,null,{}],\"b\":false}\n",
	       "commas, colons and brackets are placed by the writer");
	free(d.text);

	doc_begin(&d);
	ea_json_array(&d.j);
	ea_json_string(&d.j, "q\"b\\n\nt\tc\x01" "d\x7f");
	ea_json_string(&d.j, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	ea_json_string(&d.j, "bad \xff end \xc3");
	ea_json_string(&d.j, "overlong \xc0\xaf surrogate \xed\xa0\x80");
	ea_json_end(&d.j);
	doc_end(&d);
	is_str(d.text, "[\"q\\\"b\\\\n\\nt\\tc\\u0001d\\u007f\","
		       "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\","
		       "\"bad \\ufffd end \\ufffd\","
		       "\"overlong \\ufffd\\ufffd surrogate \\ufffd\\ufffd\\ufffd\"]\n",
	       "quotes, backslashes and control characters are escaped, valid UTF-8 kept,"
	       " invalid bytes replaced by U+FFFD");
	free(d.text);

	doc_begin(&d);
	ea_json_object(&d.j);
	ea_json_key(&d.j, "k\"ey\n");
	ea_json_uint(&d.j, 3);
	ea_json_end(&d.j);
	doc_end(&d);
	is_str(d.text, "{\"k\\\"ey\\n\":3}\n", "keys are escaped like strings");
	free(d.text);

	doc_begin(&d);
	ea_json_array(&d.j);
	ea_json_newline(&d.j);
	ea_json_uint(&d.j, 1);
	ea_json_newline(&d.j);
	ea_json_uint(&d.j, 2);
	ea_json_newline(&d.j);
	ea_json_end(&d.j);
	doc_end(&d);
	is_str(d.text, "[\n1,\n2\n]\n", "line breaks go after the comma, between tokens");
	free(d.text);

	doc_begin(&d);
	ea_json_object(&d.j);
	ea_json_uint(&d.j, 1);
	ea_json_end(&d.j);
	is_int(doc_end(&d), -1, "a value without a key in an object is a misuse");
	is_str(d.text, "{}\n", "and is not written");
	free(d.text);

	doc_begin(&d);
	ea_json_array(&d.j);
	ea_json_key(&d.j, "k");
	ea_json_end(&d.j);
	is_int(doc_end(&d), -1, "a key in an array is a misuse");
	free(d.text);

	doc_begin(&d);
	ea_json_object(&d.j);
	ea_json_key(&d.j, "k");
	ea_json_end(&d.j);
	is_int(doc_end(&d), -1, "a key without a value is a misuse");
	free(d.text);

	doc_begin(&d);
	ea_json_array(&d.j);
	is_int(doc_end(&d), -1, "a document left open fails");
	free(d.text);

	doc_begin(&d);
	ea_json_end(&d.j);
	is_int(doc_end(&d), -1, "an end with nothing open is a misuse");
	free(d.text);

	doc_begin(&d);
	is_int(doc_end(&d), -1, "an empty document fails");
	free(d.text);

	doc_begin(&d);
	ea_json_uint(&d.j, 1);
	ea_json_uint(&d.j, 2);
	is_int(doc_end(&d), -1, "a second top-level value is a misuse");
	is_str(d.text, "1\n", "and is not written");
	free(d.text);

	doc_begin(&d);
	for (int i = 0; i < EA_JSON_MAX_DEPTH + 1; i++)
		ea_json_array(&d.j);
	for (int i = 0; i < EA_JSON_MAX_DEPTH + 1; i++)
		ea_json_end(&d.j);
	is_int(doc_end(&d), -1, "nesting deeper than EA_JSON_MAX_DEPTH is refused");
	free(d.text);
	return done_testing();
}
