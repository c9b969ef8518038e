/* What a static file is, by its name: the MIME type a Gemini (or Spartan)
 * header gives it and the item type a Gopher menu lists it under. By the
 * extension, as web servers decide it for the same files (Jekyll copies
 * them as they are; a browser learns their type the same way). */
#ifndef CAPSULED_MIME_H
#define CAPSULED_MIME_H

#include <stdbool.h>
#include <stddef.h>

/* The MIME type of NAME by its extension, case-insensitive ("cv.PDF" →
 * "application/pdf"); "application/octet-stream" for any other. */
const char *mime_type(const char *name);

/* The Gopher item type of a file of MIME type MIME (RFC 1436 and the
 * common extensions): 'g' for GIF, 'I' for other images, '0' for text,
 * '9' for anything else. */
char mime_gopher_type(const char *mime);

/* A Gemini or Spartan header's meta for a file of type MIME holding
 * LEN bytes of DATA: text types that are valid UTF-8 say so
 * ("text/css; charset=utf-8"). Written to out (cap ≥ 80). */
void mime_meta(const char *mime, const char *data, size_t len, char *out,
               size_t cap);

#endif
