/*
 * A SQLite VFS shim that writes a commit's WAL frames with one system call instead of two per page.
 *
 * SQLite appends each page of a commit to the WAL with two write calls (the 24-byte frame header, then the
 * page): about 20 per TaskRouter lifecycle. Where a system call is dear (a virtual machine with page-table
 * isolation and no PCID flushes the TLB on every one) that was most of a COMMIT's cost. This shim wraps the
 * default VFS and, for WAL files only, gathers consecutive appends in a buffer written with one pwrite:
 *   - when the page of a commit frame has been appended (a frame header whose "database size after commit"
 *     field is nonzero marks the last frame of a transaction): the write that completes the commit flushes
 *     and returns the flush's error, so a failed write still fails the COMMIT;
 *   - before any other call on any file of this thread (a read, sync, lock, size, truncation, close, and
 *     every shared-memory call: xShmBarrier orders the wal-index header after the frames), so nothing ever
 *     sees the file without the frames written before;
 *   - when the buffer would pass its capacity, or a write is not the next append.
 * A commit becomes visible to other connections only through the wal-index header, which SQLite writes after
 * the frames (behind xShmBarrier), and a frame SQLite has not published yet is ignored by recovery: every
 * reader, and a restart after a crash, sees the file as without the shim. Durability is unchanged: the store
 * fsyncs the WAL after COMMIT returns, when every frame has reached the kernel.
 * A flush that fails outside a write (only frames of a transaction not committed yet, spilled early) makes
 * every later call on that file fail with its error.
 *
 * Built by scripts/build.mjs against better-sqlite3's own SQLite headers; loaded once per process by
 * walCoalescing.ts, which registers it as the default VFS. Without a C compiler the server runs without it.
 */
#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT1
#include <string.h>
#include <stdlib.h>

/* The unix VFS writes at most 128 KiB - 1 bytes per system call (seekAndWriteFd masks the length with
 * 0x1ffff), so a buffer is flushed before it would reach that. */
#define COALESCE_CAPACITY (120 * 1024)
#define WAL_FRAME_HEADER 24
#define WAL_HEADER 32

typedef struct CoalesceFile CoalesceFile;
struct CoalesceFile {
  sqlite3_file base;
  sqlite3_file *real;
  int isWal;
  int failed;               /* an error a flush outside a write met: every later call returns it */
  int commitPending;        /* the last append was a commit frame's header: its page completes the commit */
  unsigned char *buffer;
  sqlite3_int64 bufferStart;
  int bufferLength;
  CoalesceFile *nextWal;    /* this thread's WAL files */
};

static sqlite3_vfs *underlying;
static sqlite3_vfs coalesceVfs;
static sqlite3_io_methods coalesceMethods;
static __thread CoalesceFile *threadWals;

static int flushOne(CoalesceFile *f) {
  if (f->bufferLength == 0) return SQLITE_OK;
  int rc = f->real->pMethods->xWrite(f->real, f->buffer, f->bufferLength, f->bufferStart);
  f->bufferLength = 0;
  f->commitPending = 0;
  return rc;
}

/* Before anything but an append: every WAL buffer of this thread reaches its file. */
static void flushThread(void) {
  for (CoalesceFile *w = threadWals; w; w = w->nextWal) {
    if (w->bufferLength == 0) continue;
    int rc = flushOne(w);
    if (rc != SQLITE_OK && !w->failed) w->failed = rc;
  }
}

#define REAL(p) (((CoalesceFile *)(p))->real)
#define GUARD(p) do { flushThread(); if (((CoalesceFile *)(p))->failed) return ((CoalesceFile *)(p))->failed; } while (0)

static int cClose(sqlite3_file *p) {
  CoalesceFile *f = (CoalesceFile *)p;
  flushThread();
  if (f->isWal) {
    for (CoalesceFile **w = &threadWals; *w; w = &(*w)->nextWal) {
      if (*w == f) { *w = f->nextWal; break; }
    }
    sqlite3_free(f->buffer);
  }
  return f->real->pMethods->xClose(f->real);
}

static int cRead(sqlite3_file *p, void *out, int n, sqlite3_int64 off) {
  GUARD(p);
  return REAL(p)->pMethods->xRead(REAL(p), out, n, off);
}

static int cWrite(sqlite3_file *p, const void *data, int n, sqlite3_int64 off) {
  CoalesceFile *f = (CoalesceFile *)p;
  if (!f->isWal) {
    GUARD(p);
    return f->real->pMethods->xWrite(f->real, data, n, off);
  }
  if (f->failed) return f->failed;
  int append = f->bufferLength > 0 && off == f->bufferStart + f->bufferLength && f->bufferLength + n <= COALESCE_CAPACITY;
  if (!append) {
    flushThread();
    if (f->failed) return f->failed;
    if (n > COALESCE_CAPACITY) return f->real->pMethods->xWrite(f->real, data, n, off);
    f->bufferStart = off;
  }
  memcpy(f->buffer + f->bufferLength, data, n);
  f->bufferLength += n;
  if (f->commitPending && n != WAL_FRAME_HEADER) return flushOne(f);
  /* A frame header (after the WAL's own header) whose "database size after commit" field is nonzero. */
  if (n == WAL_FRAME_HEADER && off >= WAL_HEADER) {
    const unsigned char *h = data;
    if (h[4] | h[5] | h[6] | h[7]) f->commitPending = 1;
  }
  return SQLITE_OK;
}

static int cTruncate(sqlite3_file *p, sqlite3_int64 size) { GUARD(p); return REAL(p)->pMethods->xTruncate(REAL(p), size); }
static int cSync(sqlite3_file *p, int flags) { GUARD(p); return REAL(p)->pMethods->xSync(REAL(p), flags); }
static int cFileSize(sqlite3_file *p, sqlite3_int64 *size) { GUARD(p); return REAL(p)->pMethods->xFileSize(REAL(p), size); }
static int cLock(sqlite3_file *p, int level) { GUARD(p); return REAL(p)->pMethods->xLock(REAL(p), level); }
static int cUnlock(sqlite3_file *p, int level) { GUARD(p); return REAL(p)->pMethods->xUnlock(REAL(p), level); }
static int cCheckReservedLock(sqlite3_file *p, int *out) { GUARD(p); return REAL(p)->pMethods->xCheckReservedLock(REAL(p), out); }
static int cFileControl(sqlite3_file *p, int op, void *arg) { flushThread(); return REAL(p)->pMethods->xFileControl(REAL(p), op, arg); }
static int cSectorSize(sqlite3_file *p) { return REAL(p)->pMethods->xSectorSize(REAL(p)); }
static int cDeviceCharacteristics(sqlite3_file *p) { return REAL(p)->pMethods->xDeviceCharacteristics(REAL(p)); }
static int cShmMap(sqlite3_file *p, int region, int size, int extend, void volatile **out) { flushThread(); return REAL(p)->pMethods->xShmMap(REAL(p), region, size, extend, out); }
static int cShmLock(sqlite3_file *p, int offset, int n, int flags) { flushThread(); return REAL(p)->pMethods->xShmLock(REAL(p), offset, n, flags); }
static void cShmBarrier(sqlite3_file *p) { flushThread(); REAL(p)->pMethods->xShmBarrier(REAL(p)); }
static int cShmUnmap(sqlite3_file *p, int deleteFlag) { flushThread(); return REAL(p)->pMethods->xShmUnmap(REAL(p), deleteFlag); }
static int cFetch(sqlite3_file *p, sqlite3_int64 off, int n, void **out) { flushThread(); return REAL(p)->pMethods->xFetch(REAL(p), off, n, out); }
static int cUnfetch(sqlite3_file *p, sqlite3_int64 off, void *page) { return REAL(p)->pMethods->xUnfetch(REAL(p), off, page); }

static int cOpen(sqlite3_vfs *vfs, const char *name, sqlite3_file *p, int flags, int *outFlags) {
  CoalesceFile *f = (CoalesceFile *)p;
  memset(f, 0, sizeof(*f));
  f->real = (sqlite3_file *)&f[1];
  flushThread();
  int rc = underlying->xOpen(underlying, name, f->real, flags, outFlags);
  if (rc != SQLITE_OK || f->real->pMethods == 0) {
    p->pMethods = 0;
    return rc;
  }
  if (flags & SQLITE_OPEN_WAL) {
    f->buffer = sqlite3_malloc(COALESCE_CAPACITY);
    if (f->buffer == 0) {
      f->real->pMethods->xClose(f->real);
      p->pMethods = 0;
      return SQLITE_NOMEM;
    }
    f->isWal = 1;
    f->nextWal = threadWals;
    threadWals = f;
  }
  p->pMethods = &coalesceMethods;
  return SQLITE_OK;
}

static int vDelete(sqlite3_vfs *v, const char *name, int syncDir) { flushThread(); return underlying->xDelete(underlying, name, syncDir); }
static int vAccess(sqlite3_vfs *v, const char *name, int flags, int *out) { flushThread(); return underlying->xAccess(underlying, name, flags, out); }
static int vFullPathname(sqlite3_vfs *v, const char *name, int n, char *out) { return underlying->xFullPathname(underlying, name, n, out); }
static void *vDlOpen(sqlite3_vfs *v, const char *name) { return underlying->xDlOpen(underlying, name); }
static void vDlError(sqlite3_vfs *v, int n, char *out) { underlying->xDlError(underlying, n, out); }
static void (*vDlSym(sqlite3_vfs *v, void *h, const char *sym))(void) { return underlying->xDlSym(underlying, h, sym); }
static void vDlClose(sqlite3_vfs *v, void *h) { underlying->xDlClose(underlying, h); }
static int vRandomness(sqlite3_vfs *v, int n, char *out) { return underlying->xRandomness(underlying, n, out); }
static int vSleep(sqlite3_vfs *v, int us) { flushThread(); return underlying->xSleep(underlying, us); }
static int vCurrentTime(sqlite3_vfs *v, double *out) { return underlying->xCurrentTime(underlying, out); }
static int vGetLastError(sqlite3_vfs *v, int n, char *out) { return underlying->xGetLastError(underlying, n, out); }
static int vCurrentTimeInt64(sqlite3_vfs *v, sqlite3_int64 *out) { return underlying->xCurrentTimeInt64(underlying, out); }

#ifdef _WIN32
__declspec(dllexport)
#endif
int sqlite3_walcoalesce_init(sqlite3 *db, char **error, const sqlite3_api_routines *api) {
  SQLITE_EXTENSION_INIT2(api);
  if (sqlite3_vfs_find("walcoalesce")) return SQLITE_OK_LOAD_PERMANENTLY;
  underlying = sqlite3_vfs_find(0);
  if (underlying == 0) return SQLITE_ERROR;
  coalesceMethods.iVersion = 3;
  coalesceMethods.xClose = cClose;
  coalesceMethods.xRead = cRead;
  coalesceMethods.xWrite = cWrite;
  coalesceMethods.xTruncate = cTruncate;
  coalesceMethods.xSync = cSync;
  coalesceMethods.xFileSize = cFileSize;
  coalesceMethods.xLock = cLock;
  coalesceMethods.xUnlock = cUnlock;
  coalesceMethods.xCheckReservedLock = cCheckReservedLock;
  coalesceMethods.xFileControl = cFileControl;
  coalesceMethods.xSectorSize = cSectorSize;
  coalesceMethods.xDeviceCharacteristics = cDeviceCharacteristics;
  coalesceMethods.xShmMap = cShmMap;
  coalesceMethods.xShmLock = cShmLock;
  coalesceMethods.xShmBarrier = cShmBarrier;
  coalesceMethods.xShmUnmap = cShmUnmap;
  coalesceMethods.xFetch = cFetch;
  coalesceMethods.xUnfetch = cUnfetch;
  coalesceVfs.iVersion = 2;
  coalesceVfs.szOsFile = sizeof(CoalesceFile) + underlying->szOsFile;
  coalesceVfs.mxPathname = underlying->mxPathname;
  coalesceVfs.zName = "walcoalesce";
  coalesceVfs.xOpen = cOpen;
  coalesceVfs.xDelete = vDelete;
  coalesceVfs.xAccess = vAccess;
  coalesceVfs.xFullPathname = vFullPathname;
  coalesceVfs.xDlOpen = vDlOpen;
  coalesceVfs.xDlError = vDlError;
  coalesceVfs.xDlSym = vDlSym;
  coalesceVfs.xDlClose = vDlClose;
  coalesceVfs.xRandomness = vRandomness;
  coalesceVfs.xSleep = vSleep;
  coalesceVfs.xCurrentTime = vCurrentTime;
  coalesceVfs.xGetLastError = vGetLastError;
  coalesceVfs.xCurrentTimeInt64 = vCurrentTimeInt64;
  int rc = sqlite3_vfs_register(&coalesceVfs, 1);
  return rc == SQLITE_OK ? SQLITE_OK_LOAD_PERMANENTLY : rc;
}
