/* Unit tests of lib/itree.c against a plain array. */
#include "tests/unit/harness.h"

#include <stdlib.h>

#include "lib/itree.h"

TEST(itree_random_against_array)
{
	enum { SLOTS = 4096 };
	struct k2e_itree_node *nodes = calloc(SLOTS, sizeof(*nodes));
	bool *in = calloc(SLOTS, sizeof(*in));
	struct k2e_itree t;
	uint32_t x = 5;
	size_t n = 0;

	k2e_itree_init(&t);
	for (size_t i = 0; i < SLOTS; i++) {
		nodes[i].start = i * 10;
		nodes[i].end = i * 10 + 1 + i % 9;	/* gaps between nodes */
	}
	for (int step = 0; step < 100000; step++) {
		size_t k;

		x = x * 1103515245 + 12345;
		k = (x >> 8) % SLOTS;
		if (in[k]) {
			k2e_itree_remove(&t, &nodes[k]);
			n--;
		} else {
			k2e_itree_insert(&t, &nodes[k]);
			n++;
		}
		in[k] = !in[k];
		if (step % 997 == 0) {
			/* A full walk and a lookup at every kind of position. */
			struct k2e_itree_node *w = k2e_itree_first_after(&t, 0);
			size_t seen = 0;

			for (size_t i = 0; i < SLOTS; i++) {
				if (!in[i])
					continue;
				if (!CHECK(w == &nodes[i]))
					break;
				w = k2e_itree_next(&t, w);
				seen++;
			}
			CHECK(w == NULL || seen != n);
			CHECK_U64(seen, n);
			CHECK_U64(t.n, n);
			for (uint64_t off = 0; off < SLOTS * 10; off += 7) {
				struct k2e_itree_node *f = k2e_itree_first_after(&t, off), *want = NULL;

				for (size_t i = off / 10; i < SLOTS && !want; i++)
					if (in[i] && nodes[i].end > off)
						want = &nodes[i];
				if (!CHECK(f == want))
					break;
			}
		}
	}
	free(nodes);
	free(in);
}
