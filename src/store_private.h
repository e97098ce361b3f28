/*
 * feedmesh: what modules that keep their own tables in the store (the
 * WebSub hub and subscriber, publishing, moderation) need from it. Their
 * tables are created by the store's migrations (store.c), so that one
 * PRAGMA user_version says what a database holds; their statements are
 * their own, prepared on first use and finalized before store_close().
 */
#ifndef FEEDMESH_STORE_PRIVATE_H
#define FEEDMESH_STORE_PRIVATE_H

#include <stdint.h>

#include <sqlite3.h>

struct store;

sqlite3		*store_sqlite(struct store *);
const char	*store_path(const struct store *);
/* The store's clock (store_set_now() or time(NULL)). */
int64_t		 store_now(const struct store *);
int		 store_in_transaction(const struct store *);
/* The open transaction changed what a listing shows (bumps generation). */
void		 store_mark_changed(struct store *);

#endif
