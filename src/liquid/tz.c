/* site.timezone: the offsets of an IANA zone ("Asia/Kolkata") from the
 * system's time zone database (TZif files under /usr/share/zoneinfo), as
 * Jekyll gets them by setting TZ. A zone is read once and kept for the
 * life of the process (eight names at most; a ninth is UTC), published to
 * every thread without locks; it never changes once read. A zone that
 * cannot be read is UTC. */
#include "date.h"

#include <ctype.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TZ_MAX_TRANSITIONS 4096
#define TZ_MAX_TYPES 64

struct zone {
    char name[64];
    bool loaded;
    size_t n_trans, n_types;
    int64_t at[TZ_MAX_TRANSITIONS];
    unsigned char type_of[TZ_MAX_TRANSITIONS];
    int32_t offset[TZ_MAX_TYPES];
    char abbr[TZ_MAX_TYPES][8];
};

#define ZONE_SLOTS 8
static _Atomic(struct zone *) zones[ZONE_SLOTS];

static int64_t be(const unsigned char *p, int bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v = v << 8 | p[i];
    if (bytes == 4)
        return (int32_t)(uint32_t)v;
    return (int64_t)v;
}

/* A name the database could hold: letters, digits, "_+-/", no "..". */
static bool plausible(const char *name)
{
    if (!*name || strlen(name) >= 64 || strstr(name, "..") || name[0] == '/')
        return false;
    for (const char *c = name; *c; c++)
        if (!isalnum((unsigned char)*c) && !strchr("_+-/", *c))
            return false;
    return true;
}

/* The counts of a TZif header at p: isut, isstd, leap, time, type, char. */
static void counts(const unsigned char *p, int64_t c[6])
{
    for (int i = 0; i < 6; i++)
        c[i] = be(p + 20 + 4 * i, 4);
}

/* Reads the 64-bit data block (version 2 and later) or the 32-bit one. */
static bool parse(struct zone *z, const unsigned char *d, size_t len)
{
    int64_t c[6];
    if (len < 44 || memcmp(d, "TZif", 4) != 0)
        return false;
    counts(d, c);
    int tb = 4;
    size_t off = 44;
    if (d[4] >= '2') {
        off += (size_t)(c[3] * 5 + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0]);
        if (off + 44 > len || memcmp(d + off, "TZif", 4) != 0)
            return false;
        counts(d + off, c);
        off += 44, tb = 8;
    }
    if (c[3] > TZ_MAX_TRANSITIONS || c[4] < 1 || c[4] > TZ_MAX_TYPES ||
        off + (size_t)(c[3] * (tb + 1) + c[4] * 6 + c[5]) > len)
        return false;
    z->n_trans = (size_t)c[3], z->n_types = (size_t)c[4];
    const unsigned char *times = d + off, *idx = times + c[3] * tb;
    const unsigned char *types = idx + c[3], *chars = types + c[4] * 6;
    for (size_t i = 0; i < z->n_trans; i++) {
        z->at[i] = be(times + i * (size_t)tb, tb);
        z->type_of[i] = idx[i] < z->n_types ? idx[i] : 0;
    }
    for (size_t i = 0; i < z->n_types; i++) {
        z->offset[i] = (int32_t)be(types + i * 6, 4);
        unsigned ai = types[i * 6 + 5];
        const char *a = ai < c[5] ? (const char *)chars + ai : "";
        snprintf(z->abbr[i], sizeof z->abbr[i], "%.*s",
                 (int)strnlen(a, (size_t)c[5] - (ai < c[5] ? ai : 0)), a);
    }
    return true;
}

static bool load(struct zone *z, const char *name)
{
    char path[128];
    snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    unsigned char *d = malloc(1 << 20);
    size_t len = d ? fread(d, 1, 1 << 20, f) : 0;
    fclose(f);
    bool ok = d && parse(z, d, len);
    free(d);
    return ok;
}

/* The zone called name, read on first use; NULL when unknown. */
static const struct zone *zone_named(const char *name)
{
    if (!name || !plausible(name))
        return NULL;
    struct zone *fresh = NULL;
    for (size_t i = 0; i < ZONE_SLOTS; i++) {
        struct zone *z = atomic_load(&zones[i]);
        if (!z && !fresh) {
            fresh = calloc(1, sizeof *fresh);
            if (!fresh)
                return NULL;
            snprintf(fresh->name, sizeof fresh->name, "%s", name);
            fresh->loaded = load(fresh, name);
        }
        if (!z && atomic_compare_exchange_strong(&zones[i], &z, fresh))
            return fresh->loaded ? fresh : NULL;
        if (z && strcmp(z->name, name) == 0) {
            free(fresh);
            return z->loaded ? z : NULL;
        }
    }
    /* Every slot holds another zone (no site names nine): UTC. */
    free(fresh);
    return NULL;
}

/* The type in force at utc: the last transition at or before it (before
 * the first, the first standard type). */
static size_t type_at(const struct zone *z, int64_t utc)
{
    size_t lo = 0, hi = z->n_trans;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (z->at[mid] <= utc)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? z->type_of[lo - 1] : 0;
}

bool liquid_zone_at(const char *name, int64_t utc, int32_t *offset,
                    char abbr[8])
{
    const struct zone *z = zone_named(name);
    if (!z)
        return false;
    size_t t = type_at(z, utc);
    *offset = z->offset[t];
    memcpy(abbr, z->abbr[t], 8);
    return true;
}

bool liquid_zone_local(const char *name, int64_t wall, int32_t *offset,
                       char abbr[8])
{
    /* The offset in force at the instant this wall time names: guess with
     * the offset at wall read as UTC, then correct once. */
    if (!liquid_zone_at(name, wall, offset, abbr))
        return false;
    return liquid_zone_at(name, wall - *offset, offset, abbr);
}

void liquid_time_localize(struct liquid_time *t, const char *zone)
{
    int32_t off = 0;
    char abbr[8] = "UTC";
    bool known;
    if (t->is_date) /* Date#to_time: midnight of that day, local */
        known = zone && liquid_zone_local(zone, t->epoch, &off, abbr);
    else
        known = zone && liquid_zone_at(zone, t->epoch, &off, abbr);
    if (!known)
        off = 0, memcpy(abbr, "UTC", 4);
    if (t->is_date)
        t->epoch -= off;
    t->offset = off;
    t->is_date = false;
    t->utc = strcmp(abbr, "UTC") == 0;
    memcpy(t->zone, abbr, sizeof t->zone);
}
