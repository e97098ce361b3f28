/*
 * feedmesh fuzzing: what a WebSub hub and subscriber read from strangers.
 * The input's first line is an X-Hub-Signature value, the second a
 * secret, the rest a body: checked as a content distribution's signature
 * (websub.h), then read as a hub request's form, whose topic goes
 * through hub_topic_parse() (hub.h).
 */
#include <sys/queue.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "buf.h"
#include "entry.h"
#include "fuzz.h"
#include "hub.h"
#include "query.h"
#include "websub.h"

#define FUZZ_PUBLIC	"https://node.example"
#define FUZZ_DEF	50
#define FUZZ_MAX	500

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct evkeyvalq	 kv;
	struct query		 q, q2;
	struct buf		 canon, canon2;
	char			 err[256], sig[HUB_SIGNATURE_LEN];
	char			*in, *secret, *body;
	const char		*topic;
	int			 json, json2;

	in = fuzz_strndup(data, size);
	secret = "";
	body = "";
	if ((secret = strchr(in, '\n')) != NULL) {
		*secret++ = '\0';
		if ((body = strchr(secret, '\n')) != NULL)
			*body++ = '\0';
		else
			body = "";
	} else
		secret = "";
	(void)websub_signature_check(in, secret, body, strlen(body));
	/* What the hub signs, its subscribers accept. */
	hub_signature(secret, body, strlen(body), sig);
	if (websub_signature_check(sig, secret, body, strlen(body)) != 1)
		abort();

	TAILQ_INIT(&kv);
	if (evhttp_parse_query_str(body, &kv) == 0 &&
	    (topic = evhttp_find_header(&kv, "hub.topic")) != NULL) {
		buf_init(&canon);
		if (hub_topic_parse(FUZZ_PUBLIC, topic, FUZZ_DEF, FUZZ_MAX,
		    &json, &q, &canon, err, sizeof(err)) == 0) {
			/* A canonical topic is a topic, and its own form. */
			buf_init(&canon2);
			if (canon.data == NULL || hub_topic_parse(FUZZ_PUBLIC,
			    canon.data, FUZZ_DEF, FUZZ_MAX, &json2, &q2,
			    &canon2, err, sizeof(err)) == -1 ||
			    json != json2 || canon2.data == NULL ||
			    strcmp(canon.data, canon2.data) != 0)
				abort();
			query_clear(&q2);
			buf_free(&canon2);
			query_clear(&q);
		} else if (memchr(err, '\0', sizeof(err)) == NULL)
			abort();
		buf_free(&canon);
	}
	evhttp_clear_headers(&kv);
	free(in);
	return (0);
}
