/* A static file's MIME type, Gopher item type and Gemini header meta, by
 * its name. */
#include "capsuled/mime.h"
#include "test.h"

static void test_types(void)
{
    CHECK_STR(mime_type("assets/pdf/cv.pdf"), "application/pdf");
    CHECK_STR(mime_type("cv.PDF"), "application/pdf");
    CHECK_STR(mime_type("images/me.png"), "image/png");
    CHECK_STR(mime_type("a.JPEG"), "image/jpeg");
    CHECK_STR(mime_type("x/anim.gif"), "image/gif");
    CHECK_STR(mime_type("logo.svg"), "image/svg+xml");
    CHECK_STR(mime_type("assets/css/main.css"), "text/css");
    CHECK_STR(mime_type("files/refs.bib"), "application/x-bibtex");
    CHECK_STR(mime_type("README.md"), "text/markdown");
    CHECK_STR(mime_type("fonts/a.woff2"), "font/woff2");
    /* No extension, a dot file, a dot in a folder, an unknown one. */
    CHECK_STR(mime_type("CNAME"), "application/octet-stream");
    CHECK_STR(mime_type(".nojekyll"), "application/octet-stream");
    CHECK_STR(mime_type("v1.2/LICENSE"), "application/octet-stream");
    CHECK_STR(mime_type("data.xyz"), "application/octet-stream");
    CHECK_STR(mime_type("trailing."), "application/octet-stream");
}

static void test_gopher_types(void)
{
    CHECK(mime_gopher_type("image/gif") == 'g');
    CHECK(mime_gopher_type("image/png") == 'I');
    CHECK(mime_gopher_type("image/svg+xml") == 'I');
    CHECK(mime_gopher_type("text/plain") == '0');
    CHECK(mime_gopher_type("text/css") == '0');
    CHECK(mime_gopher_type("application/pdf") == '9');
    CHECK(mime_gopher_type("application/octet-stream") == '9');
}

static void test_meta(void)
{
    char meta[80];
    mime_meta("text/css", "a{}", 3, meta, sizeof meta);
    CHECK_STR(meta, "text/css; charset=utf-8");
    mime_meta("text/plain", "caf\xe9", 4, meta, sizeof meta);
    CHECK_STR(meta, "text/plain"); /* Latin-1: not claimed as UTF-8 */
    mime_meta("application/pdf", "%PDF", 4, meta, sizeof meta);
    CHECK_STR(meta, "application/pdf");
}

int main(void)
{
    test_types();
    test_gopher_types();
    test_meta();
    return test_done();
}
