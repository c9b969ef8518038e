/* The person's card as the site's theme keeps it in the configuration:
 * AcadHomepage and academicpages (minimal-mistakes) under `author`
 * (name, bio, location, employer, email, uri, the profile keys github,
 * googlescholar, orcid, linkedin, twitter, … and `links`), al-folio at the
 * top (first_name, middle_name, last_name, email, github_username,
 * scholar_userid, …) or in `_data/socials.yml` (site.data.socials). Read
 * from Liquid's `site` hash, so a capsule.yaml's `author` gives one too. */
#ifndef CAPSULED_CARD_H
#define CAPSULED_CARD_H

#include "capsuled/value.h"

#include <stddef.h>

struct card_link {
    char *label; /* "GitHub", "Google Scholar"; the address for the email */
    char *url;   /* absolute: https://github.com/NAME, mailto:ADDRESS */
};

struct card {
    char *name;     /* author.name, else first [middle] last; may be NULL */
    char *bio;      /* author.bio; may be NULL */
    char *place;    /* "location · employer", either alone; may be NULL */
    struct card_link *links; /* the email first, then the profiles, each
                                URL once, in the theme's order */
    size_t n_links;
};

/* Builds the card from SITE (Liquid's site hash). Empty values are left
 * out; a profile key holding a URL is used as it is, a user name goes into
 * the profile's URL. */
void card_build(const struct value *site, struct card *out);
void card_free(struct card *c);

#endif
