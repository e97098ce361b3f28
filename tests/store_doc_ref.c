/*
 * feedmesh tests: the jansson side of store_doc.c's comparisons: the
 * canonical document as jansson wrote it, and the full-text fields of a
 * stored document as jansson reads them.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "entry.h"
#include "store_doc_ref.h"
#include "store_private.h"

static int	 same_str(const char *, const char *);

/*
 * jansson's text of the tree of entry_to_json(), less peers (and source
 * and origin for a tombstone, and "_feedmesh" if that leaves it empty),
 * the id replaced by kept (an entry read from JSON may have none).
 */
char *
store_doc_ref_write(const struct entry *e, const char *kept)
{
	json_t	*j, *fm;
	char	*d;

	j = entry_to_json(e);
	if ((fm = json_object_get(j, "_feedmesh")) != NULL) {
		json_object_del(fm, "peers");
		if (e->deleted) {
			json_object_del(fm, "source");
			json_object_del(fm, "origin");
		}
		if (json_object_size(fm) == 0)
			json_object_del(j, "_feedmesh");
	}
	if (kept != NULL && (e->id == NULL || strcmp(kept, e->id) != 0))
		json_object_set_new(j, "id", json_string(kept));
	d = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	return (d);
}

static int
same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a == b);
	return (strcmp(a, b) == 0);
}

/* A field the reader found, or NULL. */
#define FIELD(f, off)	((off) == STORE_DOC_NONE ? NULL : (f)->text.data + (off))

/*
 * The fields as store.c's store_text_field() takes them from jansson's
 * tree: json_object_get() and json_string_value(), NULL for anything
 * of another type.
 */
int
store_doc_ref_fields_agree(const char *doc)
{
	static struct store_doc_fields	 f;
	json_t				*j, *fm, *a, *x;
	const char			*v;
	size_t				 i, k = 0;
	int				 same = 1;

	if (store_doc_fields_read(&f, doc) == -1)
		return (-1);
	if ((j = json_loads(doc, 0, NULL)) == NULL)
		return (0);
#define SAME(a, b)	same_str((a), (b))
	fm = json_object_get(j, "_feedmesh");
	v = json_string_value(json_object_get(j, "title"));
	same &= SAME(FIELD(&f, f.title), v);
	v = json_string_value(json_object_get(j, "summary"));
	same &= SAME(FIELD(&f, f.summary), v);
	v = json_string_value(json_object_get(j, "content_text"));
	same &= SAME(FIELD(&f, f.content_text), v);
	v = json_string_value(json_object_get(j, "content_html"));
	same &= SAME(FIELD(&f, f.content_html), v);
	same &= f.no_content == json_is_true(json_object_get(fm,
	    "no_content"));
	a = json_object_get(fm, "categories");
	/* Elements that are not objects give no text: not counted. */
	if (json_is_array(a)) {
		for (i = 0; i < json_array_size(a); i++) {
			x = json_array_get(a, i);
			if (!json_is_object(x))
				continue;
			if (k >= f.ncats) {
				same = 0;
				break;
			}
			same &= SAME(FIELD(&f, f.cats[k].term),
			    json_string_value(json_object_get(x, "term")));
			same &= SAME(FIELD(&f, f.cats[k].label),
			    json_string_value(json_object_get(x, "label")));
			k++;
		}
		same &= k == f.ncats;
	} else
		same &= f.ncats == 0;
#undef SAME
	json_decref(j);
	return (same);
}
