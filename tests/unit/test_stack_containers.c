/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container registry (stack/containers.h) and the (container, path)
 * keys of the object cache (stack/objcache.h): id normalization, members
 * (at most 8, the oldest replaced, no duplicates), a new instance when the
 * image changes, bounded containers with evictions counted; container keys
 * found again, replaced when the container's file changes, capped per
 * object, counted in the cache's bytes and gone with their object.
 * Namespaces and real processes: tests/stack/t_containers.sh.
 */
#include <stdio.h>
#include <string.h>

#include "stack/containers.h"
#include "stack/objcache.h"
#include "tap.h"

static void test_norm(void)
{
	size_t n;
	const char *id = rti_container_id_norm("containerd://abcdef0123", &n);

	ok(n == 10 && !memcmp(id, "abcdef0123", n), "runtime prefix cut");
	id = rti_container_id_norm("060ea9b92f3f8c02347cc73ef068aa4", &n);
	ok(n == 31 && id[0] == '0', "Tetragon's docker field as is");
	rti_container_id_norm(NULL, &n);
	ok(n == 0, "no id: not a container");
	rti_container_id_norm("docker://"
			      "0123456789012345678901234567890123456789012345678901234567890123456789",
			      &n);
	ok(n == RTI_CTR_ID_MAX, "ids are capped at %d bytes", RTI_CTR_ID_MAX);
}

static void test_members(void)
{
	struct rti_containers c;
	struct rti_ctr *x;
	uint64_t serial;
	int found = 0;

	ok(!rti_containers_init(&c, 8), "init");
	rti_containers_learn(&c, "aaaa", 4, "img@sha256:1", 10, 100);
	rti_containers_learn(&c, "aaaa", 4, "img@sha256:1", 10, 100);
	rti_containers_learn(&c, "aaaa", 4, NULL, 11, 200);
	x = rti_containers_find(&c, "aaaa", 4);
	ok(x && x->next == 2, "two members, no duplicate");
	serial = x ? x->serial : 0;
	for (uint32_t p = 20; p < 30; p++)
		rti_containers_learn(&c, "aaaa", 4, NULL, p, 0);
	x = rti_containers_find(&c, "aaaa", 4);
	for (int i = 0; x && i < RTI_CTR_MEMBERS; i++)
		found += x->m[i].valid && x->m[i].pid >= 22;
	ok(found == RTI_CTR_MEMBERS && c.members_replaced == 4,
	   "8 members kept, the oldest replaced (%llu)", (unsigned long long)c.members_replaced);
	ok(x && x->serial == serial, "no image: same instance");
	rti_containers_learn(&c, "aaaa", 4, "img@sha256:2", 40, 0);
	x = rti_containers_find(&c, "aaaa", 4);
	ok(x && x->serial != serial && x->m[x->next - 1].pid == 40 && x->m[0].pid == 40,
	   "another image under the same id: a new instance, members reset");
	serial = x ? x->serial : 0;
	x->mntns = 77;
	rti_containers_renew(&c, x);
	ok(x->serial != serial && !x->mntns, "renewed: new serial, namespace to learn");
	ok(!rti_containers_find(&c, "bbbb", 4), "unknown container");
	rti_containers_learn(&c, "bbbb", 4, NULL, 0, 0);
	ok(!rti_containers_find(&c, "bbbb", 4), "no pid: nothing learnt");
	for (int i = 0; i < 100; i++) {
		char id[16];

		snprintf(id, sizeof(id), "ctr%03d", i);
		rti_containers_learn(&c, id, strlen(id), NULL, 1, 0);
	}
	ok(c.st.entries <= 8 && c.st.evictions >= 92, "bounded: %llu entries, %llu evicted",
	   (unsigned long long)c.st.entries, (unsigned long long)c.st.evictions);
	ok(rti_containers_find(&c, "ctr099", 6) != NULL, "the most recent is kept");
	rti_containers_release(&c);
}

static struct rti_obj *obj(struct rti_objcache *c, uint64_t ino)
{
	struct rti_fkey k;
	struct rti_obj *o = rti_obj_new(c);

	memset(&k, 0, sizeof(k));
	k.ino = ino;
	o->bytes = sizeof(*o);
	rti_objcache_insert(c, o, &k);
	return o;
}

static void test_ckeys(void)
{
	struct rti_objcache *c = rti_objcache_new(2, 0);
	struct rti_obj *a = obj(c, 1), *b = obj(c, 2);
	size_t bytes = rti_objcache_stats(c)->bytes;
	const char *lib = "/usr/lib/libc.so.6";
	char path[32];

	rti_objcache_add_container(c, a, 7, lib, strlen(lib));
	ok(rti_objcache_by_container(c, 7, lib, strlen(lib)) == a, "found by (container, path)");
	ok(!rti_objcache_by_container(c, 8, lib, strlen(lib)), "another instance: not found");
	ok(!rti_objcache_by_container(c, 7, lib, strlen(lib) - 1), "another path: not found");
	ok(rti_objcache_stats(c)->bytes > bytes, "keys count in the cache's bytes");
	rti_objcache_add_container(c, b, 7, lib, strlen(lib));
	ok(rti_objcache_by_container(c, 7, lib, strlen(lib)) == b && !a->nckeys && b->nckeys == 1,
	   "the container's file changed: the key names the new object");
	for (int i = 0; i < RTI_OBJ_MAX_CKEYS + 5; i++) {
		snprintf(path, sizeof(path), "/lib/l%d.so", i);
		rti_objcache_add_container(c, a, 9, path, strlen(path));
	}
	ok(a->nckeys == RTI_OBJ_MAX_CKEYS &&
	   rti_objcache_container_stats(c)->evictions == 5, "at most %d keys per object",
	   RTI_OBJ_MAX_CKEYS);
	ok(!rti_objcache_by_container(c, 9, "/lib/l0.so", 10) &&
	   rti_objcache_by_container(c, 9, path, strlen(path)) == a, "the oldest replaced");
	obj(c, 3); /* evicts the least recent: b */
	ok(!rti_objcache_by_container(c, 7, lib, strlen(lib)), "keys go with their object");
	ok(rti_objcache_container_stats(c)->entries == RTI_OBJ_MAX_CKEYS, "entries counted");
	rti_objcache_free(c);
}

int main(void)
{
	test_norm();
	test_members();
	test_ckeys();
	return done_testing();
}
