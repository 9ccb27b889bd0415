# Varnish in front of Agora (docs/caching.md). Needs Varnish 7 and the xkey module of
# varnish-modules (Debian: apt-get install varnish varnish-modules).
#
# Agora marks what may be shared: public reads carry an `xkey` header naming their
# article, and Cache-Control with s-maxage, stale-while-revalidate and stale-if-error.
# Anything without `xkey` (a signed-in reader's page, the confirmation after posting,
# moderators' pages, the API's writes) goes straight to Agora every time. When readers could see a change, Agora's
# task worker sends `PURGE` with the article's keys in `xkey-purge`, and the next read
# fetches the thread again.
vcl 4.1;

import std;
import xkey;

# Agora's address (gunicorn's AGORA_BIND). Health checks let Varnish serve a kept thread
# (stale-if-error) while Agora cannot answer.
backend agora {
    .host = "127.0.0.1";
    .port = "8000";
    .probe = {
        .url = "/api/v1/articles?limit=1";
        .interval = 5s;
        .timeout = 2s;
        .window = 5;
        .threshold = 3;
        # Healthy from the start, so the first reads need not wait for the probes.
        .initial = 3;
    }
}

# The machines whose task workers may purge: Agora's app servers.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Purging is for Agora's app servers only."));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "Name the surrogate keys to purge in xkey-purge."));
        }
        set req.http.x-purged = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged " + req.http.x-purged + " objects."));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # A signed-in moderator or an API token is never answered from the cache.
    if (req.http.Authorization || req.http.Cookie ~ "(^|;\s*)sessionid=") {
        return (pass);
    }
    # While Agora answers, a thread older than its s-maxage is served at most
    # stale-while-revalidate seconds (30 by default) while it is fetched again; while
    # Agora is down, for as long as the answer allowed (stale-if-error).
    if (std.healthy(req.backend_hint)) {
        set req.grace = 30s;
    }
    # Public reads (the API's, the embed's data, the article page) do not depend on
    # cookies; without this, a reader holding any cookie for Agora's host would never be
    # served from the cache.
    if (req.url ~ "^/api/v1/(articles|embed/articles)(/|\?|$)" ||
        req.url ~ "^/articles/[^/?]+/(\?|$)") {
        unset req.http.Cookie;
        return (hash);
    }
}

sub vcl_backend_response {
    if (!beresp.http.xkey) {
        # Not a public read: never kept, and later requests go straight to Agora.
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    # The TTL comes from s-maxage; keep the object beyond it for stale-if-error and for
    # revalidating with If-None-Match (a 304 from Agora refreshes it).
    set beresp.grace = 24h;
    set beresp.keep = 1h;
}

sub vcl_deliver {
    # Surrogate keys are for caches, not for readers.
    unset resp.http.xkey;
    unset resp.http.Surrogate-Key;
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}
