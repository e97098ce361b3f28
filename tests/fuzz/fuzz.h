/*
 * feedmesh fuzzing: what the libFuzzer harnesses share (fuzz.c): quiet
 * logging and the invariants every untrusted-input module promises.
 */
#ifndef FEEDMESH_FUZZ_H
#define FEEDMESH_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* libFuzzer's entry points: fuzz.c has the first, each harness the other. */
int	 LLVMFuzzerInitialize(int *, char ***);
int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A NUL-terminated copy of the input; the caller frees it. */
char	*fuzz_strndup(const uint8_t *, size_t);
/* Aborts (a finding) unless s is NULL or valid UTF-8. */
void	 fuzz_check_utf8(const char *);

#endif
