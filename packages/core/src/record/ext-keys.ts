// Extension keys that more than one package writes or reads, defined once here (the record entry)
// so that writers in the browser and QuickJS need not load the contracts entry to name them.

/** Where c2pa-bridge stores an ingest's Content Credentials facts, and gates and payouts read them. */
export const C2PA_INGEST_EXT = 'colophon.c2pa';
