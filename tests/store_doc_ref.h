/*
 * feedmesh tests: the jansson side of store_doc.c's comparisons, shared
 * by tests/store_doc_test.c and the fuzzing harness fuzz_storedoc.
 */
#ifndef FEEDMESH_STORE_DOC_REF_H
#define FEEDMESH_STORE_DOC_REF_H

struct entry;

/*
 * What the store wrote before store_doc.c: jansson's text of
 * entry_to_json(e), as store_doc_write(e, kept) must write it.
 */
char	*store_doc_ref_write(const struct entry *, const char *kept);
/*
 * 1 if store_doc_fields_read() reads doc as jansson does (the strings
 * the full-text index takes), 0 if not, -1 if it leaves doc to jansson.
 */
int	 store_doc_ref_fields_agree(const char *doc);

#endif
