/*
 * ledger_key.h — the throw-away Ed25519 key of the ledger fuzz harnesses
 * and their seed corpora (tests/fuzz/corpus/note, corpus/receipt). It signs
 * nothing but test data; never use it for a real ledger.
 */
#ifndef IPS_TESTS_FUZZ_LEDGER_KEY_H
#define IPS_TESTS_FUZZ_LEDGER_KEY_H

#define FUZZ_LEDGER_SKEY \
    "PRIVATE+KEY+iprshield.example/ledger+e4c77705+ASkMUEg8x5EY6i45x7t+XgR2TVEoeKkiuE448ZWVjfEY"
#define FUZZ_LEDGER_VKEY \
    "iprshield.example/ledger+e4c77705+AQPsG+TpZiGOi4NxHBDHBapJ6CXtGDum4kpjvjkbKdtQ"

#endif
