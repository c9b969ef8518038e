/* A small capsule written to a fresh temporary directory, shared by the
 * gemini, gopher and site tests. */
#ifndef CAPSULED_SITE_FIXTURE_H
#define CAPSULED_SITE_FIXTURE_H

#include "capsuled/capsule.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char FIXTURE_YAML[] =
    "title: \"Test Person\"\n"
    "description: \"A capsule\\nfor tests\"\n"
    "lang: en\n"
    "url: \"https://example.org/\"\n"
    "page: about.md\n"
    "favicon: \"\xF0\x9F\x8E\x93\"\n"
    "source: true\n"
    "author:\n"
    "  name: \"Test Person\"\n"
    "  bio: \"Tester\"\n"
    "robots: |\n"
    "  User-agent: *\n"
    "  Disallow: /search\n"
    "gemini:\n"
    "  host: example.org\n"
    "  aliases: [\"alias.example.org\"]\n"
    "  port: 1965\n"
    "gopher:\n"
    "  host: gopher.example.org\n"
    "  port: 7070\n"
    "  width: 70\n"
    "  admin: \"admin@example.org\"\n";

static const char FIXTURE_PAGE[] =
    "---\n"
    "title: \"\"\n"
    "---\n"
    "\n"
    "# About Me\n"
    "\n"
    "I study computer ARCHITECTURE in Wuhan.\n"
    "\n"
    "# News\n"
    "\n"
    "- *2025.10*: Paper accepted at ICDE2026.\n"
    "- *2025.07*: Travel award for HPDC2025.\n"
    "\n"
    "# Research Interests\n"
    "\n"
    "- Computer Architecture\n"
    "- Storage for AI, Z\xC3\xBCrich\n";

static void fixture_write(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(1);
    }
    fputs(text, f);
    fclose(f);
}

/* Writes the fixture into a new directory (its name goes to dir). */
static void fixture_make(char dir[64])
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, 64, "%s/capsuled-test-XXXXXX",
             tmp && *tmp && strlen(tmp) < 40 ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        exit(1);
    }
    fixture_write(dir, "capsule.yaml", FIXTURE_YAML);
    fixture_write(dir, "about.md", FIXTURE_PAGE);
}

static void fixture_remove(const char *dir)
{
    const char *names[] = {"capsule.yaml", "about.md"};
    char path[512];
    for (size_t i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

static struct capsule *fixture_load(const char *dir)
{
    struct diags diags = {0};
    struct capsule *c = capsule_load(dir, &diags);
    if (!c)
        for (size_t i = 0; i < diags.n; i++)
            printf("# %s:%d: %s\n", diags.items[i].file ? diags.items[i].file
                                                         : "?",
                   diags.items[i].line, diags.items[i].msg);
    diags_free(&diags);
    return c;
}

#endif
