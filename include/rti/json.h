/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tetragon JSON records: the decoder's parse-and-validate step, on its own
 * for tools that walk any JSON value (privacy check), and the conversion
 * of a record into a GetEventsResponse message (replay).
 *
 * Parsing is jsmn's (strict, with parent links: linear time for wide
 * values); validation adds what jsmn lets through: data after the value,
 * object members without exactly one value, and optionally nesting depth
 * (quadratic in jsmn: the record framer caps it for convert) and the
 * contents of strings (escapes, control characters, surrogates, UTF-8).
 */
#ifndef RTI_PUBLIC_JSON_H
#define RTI_PUBLIC_JSON_H

#include <stdbool.h>
#include <stddef.h>

struct rti_buf;

/* Holds the token array (grown on demand up to its cap) between calls. */
struct rti_json_decoder;

/* max_tokens: 0 = 1 Mi. NULL with errno. */
struct rti_json_decoder *rti_json_decoder_new(unsigned max_tokens);
void rti_json_decoder_free(struct rti_json_decoder *d);

/* A token: jsmn's, same layout and values (checked at build time). */
enum rti_json_type {
	RTI_JSON_UNDEFINED = 0,
	RTI_JSON_OBJECT = 1,
	RTI_JSON_ARRAY = 2,
	RTI_JSON_STRING = 3,
	RTI_JSON_PRIMITIVE = 4,
};

struct rti_json_token {
	enum rti_json_type type;
	int start;  /* byte offsets; a string's are inside its quotes */
	int end;
	int size;   /* members of an object, elements of an array, 1 for a key */
	int parent; /* index of the enclosing token, -1 for the top */
};

enum rti_json_problem {
	RTI_JSON_VALID = 0,
	RTI_JSON_TOO_LONG,        /* 2 GiB or more */
	RTI_JSON_TOO_DEEP,        /* nested deeper than opts.max_depth */
	RTI_JSON_TOO_MANY_TOKENS, /* more than the decoder's max_tokens */
	RTI_JSON_NO_MEMORY,
	RTI_JSON_TRUNCATED,       /* the value does not end */
	RTI_JSON_SYNTAX,          /* invalid JSON */
	RTI_JSON_EMPTY,           /* no value at all */
	RTI_JSON_TRAILING,        /* data after the value */
	RTI_JSON_MEMBER,          /* an object member without a single value */
	RTI_JSON_BAD_STRING,      /* inside a string: why says what */
};

struct rti_json_error {
	enum rti_json_problem problem;
	size_t offset;   /* where, in the value (EMPTY: its length) */
	const char *why; /* RTI_JSON_BAD_STRING: a static message */
};

struct rti_json_check_opts {
	size_t sz;          /* sizeof(struct rti_json_check_opts) */
	unsigned max_depth; /* 0: not checked */
	bool strings;       /* validate what is inside strings */
};

/*
 * Parses and validates the JSON value js[0..len) (whitespace around it is
 * fine). Returns the number of tokens, readable with rti_json_tokens()
 * until the next call, or -1 with *err set. opts may be NULL.
 */
int rti_json_check(struct rti_json_decoder *d, const char *js, size_t len,
		   const struct rti_json_check_opts *opts, struct rti_json_error *err);
const struct rti_json_token *rti_json_tokens(const struct rti_json_decoder *d);
/* What err says, in a few words ("truncated JSON value"); static. */
const char *rti_json_strerror(const struct rti_json_error *err);

/*
 * Decodes the body of a string token (between the quotes) into out (at
 * least n + 1 bytes) and NUL-terminates it. The decoded length, or -1 with
 * *why (static) and *err_off (offset in s).
 */
long rti_json_unescape(const char *s, size_t n, char *out, const char **why,
		       size_t *err_off);

/* Tetragon JSON record -> GetEventsResponse (binary protobuf), for replay. */
struct rti_json_pb;

struct rti_json_pb *rti_json_pb_new(void);
void rti_json_pb_free(struct rti_json_pb *c);
/*
 * Appends the message of one record to out. 0; -EINVAL for a record the
 * decoder rejects (why says why); -ENOTSUP for an event kind no field of
 * GetEventsResponse carries; -ENOBUFS or -ENOMEM when out is full.
 */
int rti_json_pb_encode(struct rti_json_pb *c, const char *js, size_t len,
		       struct rti_buf *out, char *why, size_t whylen);

#endif
