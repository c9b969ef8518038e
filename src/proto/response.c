/* What both protocols' responses share: pointing a response at the bytes
 * built for it, and releasing them once sent. */
#include "capsuled/proto.h"

void response_own(struct response *r, int status)
{
    r->data = r->owned.data;
    r->len = r->owned.len;
    r->status = status;
}

void response_free(struct response *r)
{
    buf_free(&r->owned);
    r->data = NULL;
    r->len = 0;
}
