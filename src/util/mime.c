/* A static file's MIME type and Gopher item type from its extension: one
 * table of the types the sites capsuled serves hold (documents, images,
 * text, fonts, media, archives). */
#include "capsuled/mime.h"
#include "capsuled/utf8.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const struct {
    const char *ext;
    const char *type;
} types[] = {
    {"pdf", "application/pdf"},      {"ps", "application/postscript"},
    {"epub", "application/epub+zip"}, {"json", "application/json"},
    {"xml", "application/xml"},      {"zip", "application/zip"},
    {"gz", "application/gzip"},      {"tgz", "application/gzip"},
    {"tar", "application/x-tar"},    {"bib", "application/x-bibtex"},
    {"yml", "application/yaml"},     {"yaml", "application/yaml"},
    {"js", "text/javascript"},       {"mjs", "text/javascript"},
    {"wasm", "application/wasm"},
    {"doc", "application/msword"},
    {"docx", "application/vnd.openxmlformats-officedocument."
             "wordprocessingml.document"},
    {"ppt", "application/vnd.ms-powerpoint"},
    {"pptx", "application/vnd.openxmlformats-officedocument."
             "presentationml.presentation"},
    {"xlsx", "application/vnd.openxmlformats-officedocument."
             "spreadsheetml.sheet"},
    {"png", "image/png"},            {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},          {"gif", "image/gif"},
    {"webp", "image/webp"},          {"avif", "image/avif"},
    {"svg", "image/svg+xml"},        {"ico", "image/vnd.microsoft.icon"},
    {"bmp", "image/bmp"},            {"tif", "image/tiff"},
    {"tiff", "image/tiff"},
    {"txt", "text/plain"},           {"text", "text/plain"},
    {"md", "text/markdown"},         {"markdown", "text/markdown"},
    {"gmi", "text/gemini"},          {"gemini", "text/gemini"},
    {"html", "text/html"},           {"htm", "text/html"},
    {"css", "text/css"},             {"csv", "text/csv"},
    {"tsv", "text/tab-separated-values"},
    {"tex", "text/x-tex"},           {"ics", "text/calendar"},
    {"vcf", "text/vcard"},           {"asc", "text/plain"},
    {"woff", "font/woff"},           {"woff2", "font/woff2"},
    {"ttf", "font/ttf"},             {"otf", "font/otf"},
    {"mp3", "audio/mpeg"},           {"ogg", "audio/ogg"},
    {"opus", "audio/opus"},          {"wav", "audio/wav"},
    {"flac", "audio/flac"},          {"mp4", "video/mp4"},
    {"webm", "video/webm"},          {"mov", "video/quicktime"},
};

const char *mime_type(const char *name)
{
    const char *slash = strrchr(name, '/');
    const char *base = slash ? slash + 1 : name;
    const char *dot = strrchr(base, '.');
    if (dot && dot != base)
        for (size_t i = 0; i < sizeof types / sizeof *types; i++)
            if (strcasecmp(dot + 1, types[i].ext) == 0)
                return types[i].type;
    return "application/octet-stream";
}

char mime_gopher_type(const char *mime)
{
    if (strcmp(mime, "image/gif") == 0)
        return 'g';
    if (strncmp(mime, "image/", 6) == 0)
        return 'I';
    if (strncmp(mime, "text/", 5) == 0)
        return '0';
    return '9';
}

void mime_meta(const char *mime, const char *data, size_t len, char *out,
               size_t cap)
{
    /* A client decodes text as UTF-8 only when told; other encodings are
     * left for it to guess rather than mislabelled. */
    bool utf8 = strncmp(mime, "text/", 5) == 0 && utf8_valid(data, len);
    snprintf(out, cap, "%s%s", mime, utf8 ? "; charset=utf-8" : "");
}
