/*
 * itree.h - an ordered set of disjoint, non-empty intervals [start, end).
 *
 * A treap: a binary search tree by start whose nodes also carry a random
 * priority (heap-ordered), so insert, remove and lookup take O(log n)
 * expected time whatever order the intervals arrive in.  The priorities come
 * from a generator in the tree itself, not from the keys, so input cannot
 * choose the shape of the tree.
 *
 * Intrusive: embed a struct k2e_itree_node in your own structure; the tree
 * never allocates and never frees.  The caller keeps the intervals disjoint
 * and may change a node's start or end in place as long as it stays disjoint
 * from the others (its order among them then cannot change).
 */
#ifndef K2E_ITREE_H
#define K2E_ITREE_H

#include <stddef.h>
#include <stdint.h>

struct k2e_itree_node {
	uint64_t start, end;
	struct k2e_itree_node *left, *right;
	uint64_t prio;
};

struct k2e_itree {
	struct k2e_itree_node *root;
	size_t n;		/* number of nodes */
	uint64_t rng;		/* state of the priority generator */
};

void k2e_itree_init(struct k2e_itree *t);

/* The first node whose end is above off (the one holding off, or the next), or NULL. */
struct k2e_itree_node *k2e_itree_first_after(const struct k2e_itree *t, uint64_t off);

/* The node after n, or NULL. */
static inline struct k2e_itree_node *k2e_itree_next(const struct k2e_itree *t,
						    const struct k2e_itree_node *n)
{
	return k2e_itree_first_after(t, n->end);
}

/* Add n (n->start and n->end set, disjoint from every node in t). */
void k2e_itree_insert(struct k2e_itree *t, struct k2e_itree_node *n);

/* Take n (a node of t) out of t. */
void k2e_itree_remove(struct k2e_itree *t, struct k2e_itree_node *n);

#endif
