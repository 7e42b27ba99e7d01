/* proc: a small array; a replica has a handful of processes alive. */
#include "proc.h"

#include <stdlib.h>
#include <string.h>

struct proc *procs_find(struct procs *t, pid_t pid)
{
	for (unsigned i = 0; i < t->n; i++)
		if (t->v[i].pid == pid)
			return &t->v[i];
	return NULL;
}

struct proc *procs_add(struct procs *t, pid_t pid)
{
	struct proc *p;

	if (t->n == t->cap) {
		unsigned cap = t->cap ? 2 * t->cap : 16;

		p = realloc(t->v, cap * sizeof(*p));
		if (!p)
			return NULL;
		t->v = p;
		t->cap = cap;
	}
	p = &t->v[t->n++];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	return p;
}

void procs_remove(struct procs *t, struct proc *p)
{
	record_free(&p->mine);
	if (p->theirs) {
		record_free(p->theirs);
		free(p->theirs);
	}
	*p = t->v[--t->n];
}

/* FNV-1a over the parent's vid and the child's number: the same in every
 * replica whatever the order the children are born in. */
uint32_t proc_child_vid(struct proc *parent)
{
	uint32_t in[2] = { parent->vid, ++parent->children }, h = 2166136261u;
	const unsigned char *b = (const unsigned char *)in;

	for (size_t i = 0; i < sizeof(in); i++)
		h = (h ^ b[i]) * 16777619u;
	return h ? h : 1;	/* 0 is the root's */
}
