/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libpq, loaded when a postgres:// hot index is first opened.
 *
 * libpq brings Kerberos, LDAP, SASL and GnuTLS with it; their constructors
 * touch about 3 MB of memory in every process that links them. Most runs
 * (convert, run, replay, SQLite hot index) never talk to PostgreSQL, so the
 * library is dlopen()ed on first use instead of linked. The prototypes
 * still come from <libpq-fe.h>: each function below is called through a
 * pointer of exactly its declared type.
 */
#ifndef RTI_PQ_LOAD_H
#define RTI_PQ_LOAD_H

#include <stddef.h>
#include <libpq-fe.h>

#define RTI_PQ_FUNCS(X)                                                              \
	X(PQclear) X(PQcmdTuples) X(PQconnectdbParams) X(PQerrorMessage) X(PQexec)     \
	X(PQexecParams) X(PQfinish) X(PQgetResult) X(PQgetisnull) X(PQgetvalue)        \
	X(PQntuples) X(PQputCopyData) X(PQputCopyEnd) X(PQreset)                       \
	X(PQresultErrorField) X(PQresultErrorMessage) X(PQresultStatus)                \
	X(PQsendQueryParams) X(PQsetNoticeProcessor) X(PQsetSingleRowMode)            \
	X(PQstatus) X(PQtransactionStatus)

struct rti_pq {
#define RTI_PQ_PTR(f) __typeof__(f) *f;
	RTI_PQ_FUNCS(RTI_PQ_PTR)
#undef RTI_PQ_PTR
};

extern struct rti_pq rti_pq;

/* Loads libpq.so.5 once (thread-safe). 0, or -ENOENT with err filled. */
int rti_pq_load(char *err, size_t errlen);

#endif
