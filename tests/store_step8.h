/*
 * feedmesh tests: a store of schema step 8 (listing tags as rows of
 * entry_tags) made from a current one, to test the migrations from it
 * and from the steps before it.
 */
#ifndef FEEDMESH_STORE_STEP8_H
#define FEEDMESH_STORE_STEP8_H

/*
 * Rewrites the store at path as step 8 had it: entry_tags holds each tag
 * of each entry's tag set (found back from its token among the tags the
 * store's entries and points can have) and its peers', entries_tags and
 * entry_tagsets go, paths lose their sort time, user_version is 8; then then (may be NULL) runs on
 * the same connection, which has the store's SQL functions, to go back
 * further. Returns the tokens whose tag was not found (0 when the store
 * is step 8's exactly), -1 on error.
 */
int	 store_step8(const char *path, const char *then);

#endif
