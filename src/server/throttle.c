/* The rate limit applied to a request: the client's key (peer_key_of, the
 * one the per-client cap and the log use, after any PROXY header) checked
 * against server.rate_limit, and over it the protocol's own "slow down":
 * Gemini 44 with the seconds to wait, a Gopher error item, a Finger line. */
#include "server.h"

bool throttle(struct server *srv, const struct cfg_server *cfg,
              enum proto proto, const struct sockaddr_storage *peer,
              const char *line, size_t len, struct response *out)
{
    struct peer_key key;
    if (cfg->rate_limit <= 0 ||
        !peer_key_of((const struct sockaddr *)peer, &key))
        return false;
    int wait = rate_take(srv->rates, &key, cfg->rate_limit, cfg->rate_burst,
                         mono_us());
    if (!wait)
        return false;
    if (proto == PROTO_GEMINI)
        gemini_slow_down(line, len, wait, out);
    else if (proto == PROTO_GOPHER)
        gopher_slow_down(line, len, wait, out);
    else
        finger_slow_down(line, len, wait, out);
    return true;
}
