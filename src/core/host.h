/* Host names, authorities and URLs: parse untrusted text into the canonical
 * form the matcher compares (lower case, no trailing dot, validated labels). */
#ifndef EA_HOST_H
#define EA_HOST_H

#include <stdbool.h>
#include <stddef.h>

#define EA_HOST_MAX 253   /* a DNS name, without the trailing dot */
#define EA_LABEL_MAX 63
#define EA_LABELS_MAX 127 /* 253 characters hold at most 127 labels */

enum ea_host_type { EA_HOST_NAME, EA_HOST_IPV4, EA_HOST_IPV6 };

struct ea_host {
	enum ea_host_type type;
	size_t len;                  /* strlen(name) */
	char name[EA_HOST_MAX + 3];  /* canonical; IPv6 without brackets */
	/* For names: labels counted and their start offsets, left to right. */
	unsigned nlabels;
	unsigned char label_start[EA_LABELS_MAX];
};

/* A parsed input line: what `check` reads, what ICAP and logs carry. */
struct ea_target {
	struct ea_host host;
	int port; /* 1..65535, or -1 when the input named none */
};

/* Canonicalise a bare host (no port): ASCII letters, digits, '-' and '_' in
 * labels of 1-63, at most 253 characters, case folded, one trailing dot
 * dropped; or an IPv4 dotted quad; or an IPv6 literal (brackets optional).
 * Returns 0, or -1 with *why set to a static reason. */
int ea_host_parse(const char *text, size_t len, struct ea_host *out, const char **why);

/* "host", "host:port", "[v6]:port", "v6 literal", or an absolute
 * http:// / https:// URL (which gets the scheme's default port when it names
 * none). Userinfo, path, query and fragment are ignored. */
int ea_target_parse(const char *text, size_t len, struct ea_target *out, const char **why);

/* Parse a port number "1".."65535"; -1 when invalid. */
int ea_port_parse(const char *text, size_t len);

#endif
