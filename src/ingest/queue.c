/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ingest/queue.h"
#include "util/clock.h"
#include "util/opts.h"

#define HDR 16u
#define F_EXTERNAL 1u /* payload is a pointer to a malloc'ed message */
#define F_SKIP 2u     /* wrap filler up to the end of the ring */

struct rec {
	uint32_t len;
	uint16_t type;
	uint16_t flags;
	uint64_t time_ns;
};

struct rti_queue {
	uint8_t *ring;
	size_t cap;
	bool block;
	/* positions grow forever; the ring offset is pos % cap */
	_Atomic uint64_t head;   /* consumer */
	_Atomic uint64_t tail;   /* producer */
	_Atomic size_t ext_bytes;
	atomic_bool closed, aborted;
	atomic_bool consumer_waiting, producer_waiting;
	pthread_mutex_t mu;
	pthread_cond_t nonempty, nonfull;
	uint64_t cur_adv;        /* consumer: bytes of the peeked record */
	/* stats (producer writes, anyone reads) */
	_Atomic uint64_t pushed, pushed_bytes, dropped, dropped_bytes, popped;
	_Atomic uint64_t blocked_ns, high_water;
	/* ring bytes of records pushed and released (wrap fillers excluded) */
	_Atomic uint64_t in_units, out_units;
};

struct rti_queue *rti_queue_new(const struct rti_queue_opts *o)
{
	struct rti_queue *q = calloc(1, sizeof(*q));
	pthread_condattr_t ca;
	size_t cap = RTI_OPTS_GET(o, capacity, 0);

	if (!q)
		return NULL;
	if (!cap)
		cap = 4u << 20;
	if (cap < 64 * 1024)
		cap = 64 * 1024;
	cap = (cap + 4095) & ~(size_t)4095;
	q->ring = malloc(cap);
	if (!q->ring) {
		free(q);
		return NULL;
	}
	q->cap = cap;
	q->block = RTI_OPTS_GET(o, block, false);
	pthread_mutex_init(&q->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&q->nonempty, &ca);
	pthread_cond_init(&q->nonfull, &ca);
	pthread_condattr_destroy(&ca);
	return q;
}

static struct rec *rec_at(struct rti_queue *q, uint64_t pos)
{
	return (struct rec *)(void *)(q->ring + pos % q->cap);
}

void rti_queue_free(struct rti_queue *q)
{
	if (!q)
		return;
	/* free out-of-line messages still queued */
	for (uint64_t h = atomic_load(&q->head), t = atomic_load(&q->tail); h < t;) {
		size_t room = q->cap - h % q->cap;
		struct rec *r;

		if (room < HDR) {
			h += room;
			continue;
		}
		r = rec_at(q, h);
		if (r->flags & F_SKIP) {
			h += room;
			continue;
		}
		if (r->flags & F_EXTERNAL) {
			void *p;

			memcpy(&p, (uint8_t *)r + HDR, sizeof(p));
			free(p);
		}
		h += HDR + (r->flags & F_EXTERNAL ? 8 : ((r->len + 7u) & ~7u));
	}
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->nonempty);
	pthread_cond_destroy(&q->nonfull);
	free(q->ring);
	free(q);
}

static void wake(struct rti_queue *q, pthread_cond_t *cv, atomic_bool *waiting)
{
	if (atomic_load(waiting)) {
		pthread_mutex_lock(&q->mu);
		pthread_cond_signal(cv);
		pthread_mutex_unlock(&q->mu);
	}
}

/* Room needed at tail t for a record of `adv` bytes, wrap filler included;
 * 0 when it can never fit. */
static uint64_t need_at(const struct rti_queue *q, uint64_t t, uint64_t adv)
{
	uint64_t room = q->cap - t % q->cap;

	if (adv > q->cap)
		return 0;
	return adv <= room ? adv : room + adv;
}

int rti_queue_push(struct rti_queue *q, uint16_t type, uint64_t time_ns, const void *p,
		   size_t n)
{
	bool ext = n > q->cap / 4;
	uint64_t adv = HDR + (ext ? 8 : ((n + 7u) & ~(uint64_t)7));
	uint64_t t = atomic_load_explicit(&q->tail, memory_order_relaxed);
	uint64_t need = need_at(q, t, adv);
	uint64_t waited_from = 0;
	void *copy = NULL;
	struct rec *r;

	if (n > UINT32_MAX)
		return -EMSGSIZE;
	if (atomic_load(&q->closed) || atomic_load(&q->aborted))
		return -EPIPE;
	/* Empty queue: start again at the beginning of the ring, so that only
	 * the pages a backlog needs are ever touched (RSS follows the high
	 * water mark, not the capacity). The producer moves head itself, with
	 * a CAS that only succeeds while the consumer has nothing to read; the
	 * consumer treats head >= tail as empty and reloads head each time. */
	if (t % q->cap) {
		uint64_t e = t;
		uint64_t start = t + (q->cap - t % q->cap);

		if (atomic_load(&q->head) == t && atomic_compare_exchange_strong(&q->head, &e, start)) {
			/* head == tail again: empty, whatever happens next */
			atomic_store(&q->tail, start);
			t = start;
			need = adv;
		}
	}
	for (;;) {
		uint64_t h = atomic_load_explicit(&q->head, memory_order_acquire);
		size_t eb = atomic_load(&q->ext_bytes);
		bool ext_ok = !ext || eb == 0 || eb + n <= q->cap;

		if (q->cap - (t - h) >= need && ext_ok)
			break;
		if (!q->block) {
			atomic_fetch_add_explicit(&q->dropped, 1, memory_order_relaxed);
			atomic_fetch_add_explicit(&q->dropped_bytes, n, memory_order_relaxed);
			return -ENOBUFS;
		}
		if (!waited_from)
			waited_from = rti_now_ns();
		pthread_mutex_lock(&q->mu);
		atomic_store(&q->producer_waiting, true);
		h = atomic_load(&q->head);
		eb = atomic_load(&q->ext_bytes);
		ext_ok = !ext || eb == 0 || eb + n <= q->cap;
		if (!(q->cap - (t - h) >= need && ext_ok) && !atomic_load(&q->aborted)) {
			struct timespec ts;

			rti_deadline_after(&ts, 100);
			pthread_cond_timedwait(&q->nonfull, &q->mu, &ts);
		}
		atomic_store(&q->producer_waiting, false);
		pthread_mutex_unlock(&q->mu);
		if (atomic_load(&q->aborted))
			return -EPIPE;
	}
	if (waited_from)
		atomic_fetch_add_explicit(&q->blocked_ns, rti_now_ns() - waited_from,
					  memory_order_relaxed);
	if (ext) {
		copy = malloc(n ? n : 1);
		if (!copy)
			return -ENOMEM;
		memcpy(copy, p, n);
		atomic_fetch_add(&q->ext_bytes, n);
	}
	if (need != adv) {
		/* not enough room before the end: fill it and start at 0 */
		uint64_t room = q->cap - t % q->cap;

		if (room >= HDR) {
			r = rec_at(q, t);
			r->len = 0;
			r->flags = F_SKIP;
		}
		t += room;
	}
	r = rec_at(q, t);
	r->len = (uint32_t)n;
	r->type = type;
	r->flags = ext ? F_EXTERNAL : 0;
	r->time_ns = time_ns;
	if (ext)
		memcpy((uint8_t *)r + HDR, &copy, sizeof(copy));
	else if (n)
		memcpy((uint8_t *)r + HDR, p, n);
	t += adv;
	/* seq_cst store pairs with the consumer's seq_cst waiting flag */
	atomic_store(&q->tail, t);
	atomic_fetch_add_explicit(&q->pushed, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&q->pushed_bytes, n, memory_order_relaxed);
	{
		uint64_t in = atomic_fetch_add(&q->in_units, adv) + adv;
		uint64_t used = in - atomic_load(&q->out_units) + atomic_load(&q->ext_bytes);

		if (used > atomic_load_explicit(&q->high_water, memory_order_relaxed))
			atomic_store_explicit(&q->high_water, used, memory_order_relaxed);
	}
	wake(q, &q->nonempty, &q->consumer_waiting);
	return 0;
}

void rti_queue_close(struct rti_queue *q)
{
	pthread_mutex_lock(&q->mu);
	atomic_store(&q->closed, true);
	pthread_cond_broadcast(&q->nonempty);
	pthread_mutex_unlock(&q->mu);
}

void rti_queue_abort(struct rti_queue *q)
{
	pthread_mutex_lock(&q->mu);
	atomic_store(&q->aborted, true);
	pthread_cond_broadcast(&q->nonfull);
	pthread_mutex_unlock(&q->mu);
}

int rti_queue_peek(struct rti_queue *q, struct rti_queue_item *it, int timeout_ms)
{
	for (;;) {
		/* tail first: a head moved by the producer's restart (CAS) is then
		 * seen together with the record it precedes */
		uint64_t t = atomic_load(&q->tail);
		uint64_t h = atomic_load(&q->head);
		struct rec *r;
		size_t room;

		if (t <= h) {
			struct timespec ts;

			if (atomic_load(&q->closed)) {
				/* re-check: items pushed before close are still ours */
				if (atomic_load(&q->tail) > atomic_load(&q->head))
					continue;
				return -EPIPE;
			}
			if (timeout_ms == 0)
				return 0;
			pthread_mutex_lock(&q->mu);
			atomic_store(&q->consumer_waiting, true);
			if (atomic_load(&q->tail) <= atomic_load(&q->head) && !atomic_load(&q->closed)) {
				rti_deadline_after(&ts, timeout_ms);
				pthread_cond_timedwait(&q->nonempty, &q->mu, &ts);
			}
			atomic_store(&q->consumer_waiting, false);
			pthread_mutex_unlock(&q->mu);
			if (atomic_load(&q->tail) <= atomic_load(&q->head))
				timeout_ms = 0;
			continue;
		}
		room = q->cap - h % q->cap;
		if (room < HDR || (rec_at(q, h)->flags & F_SKIP)) {
			/* the queue is not empty: the producer does not move head now */
			atomic_store(&q->head, h + room);
			continue;
		}
		r = rec_at(q, h);
		it->type = r->type;
		it->time_ns = r->time_ns;
		it->len = r->len;
		if (r->flags & F_EXTERNAL) {
			void *p;

			memcpy(&p, (uint8_t *)r + HDR, sizeof(p));
			it->data = p;
			q->cur_adv = HDR + 8;
		} else {
			it->data = (uint8_t *)r + HDR;
			q->cur_adv = HDR + ((r->len + 7u) & ~(uint64_t)7);
		}
		return 1;
	}
}

void rti_queue_release(struct rti_queue *q)
{
	uint64_t h = atomic_load_explicit(&q->head, memory_order_relaxed);
	struct rec *r = rec_at(q, h);
	bool ext = false;
	uint64_t nh;

	if (!q->cur_adv)
		return;
	if (r->flags & F_EXTERNAL) {
		void *p;

		memcpy(&p, (uint8_t *)r + HDR, sizeof(p));
		free(p);
		atomic_fetch_sub(&q->ext_bytes, r->len);
		ext = true;
	}
	nh = h + q->cur_adv;
	atomic_fetch_add(&q->out_units, q->cur_adv);
	atomic_store(&q->head, nh);
	q->cur_adv = 0;
	atomic_fetch_add_explicit(&q->popped, 1, memory_order_relaxed);
	/* wake a blocked producer once half the ring is free (or an
	 * out-of-line message left): a wake-up per message would make the
	 * two threads ping-pong */
	if (atomic_load(&q->producer_waiting) &&
	    (ext || atomic_load(&q->tail) - nh <= q->cap / 2))
		wake(q, &q->nonfull, &q->producer_waiting);
}

void rti_queue_get_stats(struct rti_queue *q, struct rti_queue_stats *st)
{
	st->pushed = atomic_load(&q->pushed);
	st->pushed_bytes = atomic_load(&q->pushed_bytes);
	st->dropped = atomic_load(&q->dropped);
	st->dropped_bytes = atomic_load(&q->dropped_bytes);
	st->popped = atomic_load(&q->popped);
	st->blocked_ns = atomic_load(&q->blocked_ns);
	st->high_water = atomic_load(&q->high_water);
	{
		uint64_t out = atomic_load(&q->out_units);
		uint64_t in = atomic_load(&q->in_units);

		st->used = (in > out ? in - out : 0) + atomic_load(&q->ext_bytes);
	}
	st->capacity = q->cap;
}
