package io.marginflow.topology.query;

import io.marginflow.topology.query.ApiTokens.Principal;

/** An authenticated API request, as the query code sees it. */
record Request(Principal principal, Params params, String pathAndQuery, String authorization, boolean forwarded) {
}
