#include "lib/itree.h"

void k2e_itree_init(struct k2e_itree *t)
{
	t->root = NULL;
	t->n = 0;
	t->rng = 0x9e3779b97f4a7c15ULL;
}

struct k2e_itree_node *k2e_itree_first_after(const struct k2e_itree *t, uint64_t off)
{
	struct k2e_itree_node *n = t->root, *best = NULL;

	while (n) {
		if (n->end > off) {
			best = n;
			n = n->left;
		} else {
			n = n->right;
		}
	}
	return best;
}

/* xorshift64*: only the tree's shape depends on it. */
static uint64_t next_prio(struct k2e_itree *t)
{
	t->rng ^= t->rng >> 12;
	t->rng ^= t->rng << 25;
	t->rng ^= t->rng >> 27;
	return t->rng * 0x2545f4914f6cdd1dULL;
}

void k2e_itree_insert(struct k2e_itree *t, struct k2e_itree_node *n)
{
	struct k2e_itree_node **p = &t->root, *rest, **l, **r;

	n->prio = next_prio(t);
	while (*p && (*p)->prio >= n->prio)
		p = n->start < (*p)->start ? &(*p)->left : &(*p)->right;
	/* Split the subtree at *p by n->start into n's children. */
	rest = *p;
	l = &n->left;
	r = &n->right;
	while (rest) {
		if (rest->start < n->start) {
			*l = rest;
			l = &rest->right;
			rest = rest->right;
		} else {
			*r = rest;
			r = &rest->left;
			rest = rest->left;
		}
	}
	*l = *r = NULL;
	*p = n;
	t->n++;
}

void k2e_itree_remove(struct k2e_itree *t, struct k2e_itree_node *n)
{
	struct k2e_itree_node **p = &t->root, *a, *b;

	while (*p && *p != n)
		p = n->start < (*p)->start ? &(*p)->left : &(*p)->right;
	if (!*p)
		return;
	/* Replace n by the merge of its subtrees (all of a below all of b). */
	a = n->left;
	b = n->right;
	while (a && b) {
		if (a->prio > b->prio) {
			*p = a;
			p = &a->right;
			a = a->right;
		} else {
			*p = b;
			p = &b->left;
			b = b->left;
		}
	}
	*p = a ? a : b;
	n->left = n->right = NULL;
	t->n--;
}
