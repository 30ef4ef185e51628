// wasi_snapshot_preview1 constants, as the witx (typenames.witx) defines them.

// errno
export const ERRNO_SUCCESS = 0;
export const ERRNO_2BIG = 1;
export const ERRNO_ACCES = 2;
export const ERRNO_ADDRINUSE = 3;
export const ERRNO_AGAIN = 6;
export const ERRNO_BADF = 8;
export const ERRNO_BUSY = 10;
export const ERRNO_EXIST = 20;
export const ERRNO_FAULT = 21;
export const ERRNO_FBIG = 22;
export const ERRNO_ILSEQ = 25;
export const ERRNO_INVAL = 28;
export const ERRNO_IO = 29;
export const ERRNO_ISDIR = 31;
export const ERRNO_LOOP = 32;
export const ERRNO_MLINK = 34;
export const ERRNO_NAMETOOLONG = 37;
export const ERRNO_NOBUFS = 42;
export const ERRNO_NOENT = 44;
export const ERRNO_NOSPC = 51;
export const ERRNO_NOSYS = 52;
export const ERRNO_NOTDIR = 54;
export const ERRNO_NOTEMPTY = 55;
export const ERRNO_NOTSOCK = 57;
export const ERRNO_NOTSUP = 58;
export const ERRNO_NXIO = 60;
export const ERRNO_OVERFLOW = 61;
export const ERRNO_PERM = 63;
export const ERRNO_PIPE = 64;
export const ERRNO_ROFS = 69;
export const ERRNO_SPIPE = 70;
export const ERRNO_XDEV = 75;
export const ERRNO_NOTCAPABLE = 76;

// rights (u64 bit flags; every one preview1 defines fits in 30 bits, so numbers here and
// BigInt only where a whole rights value is stored)
export const RIGHT_FD_DATASYNC = 1 << 0;
export const RIGHT_FD_READ = 1 << 1;
export const RIGHT_FD_SEEK = 1 << 2;
export const RIGHT_FD_FDSTAT_SET_FLAGS = 1 << 3;
export const RIGHT_FD_SYNC = 1 << 4;
export const RIGHT_FD_TELL = 1 << 5;
export const RIGHT_FD_WRITE = 1 << 6;
export const RIGHT_FD_ADVISE = 1 << 7;
export const RIGHT_FD_ALLOCATE = 1 << 8;
export const RIGHT_PATH_CREATE_DIRECTORY = 1 << 9;
export const RIGHT_PATH_CREATE_FILE = 1 << 10;
export const RIGHT_PATH_LINK_SOURCE = 1 << 11;
export const RIGHT_PATH_LINK_TARGET = 1 << 12;
export const RIGHT_PATH_OPEN = 1 << 13;
export const RIGHT_FD_READDIR = 1 << 14;
export const RIGHT_PATH_READLINK = 1 << 15;
export const RIGHT_PATH_RENAME_SOURCE = 1 << 16;
export const RIGHT_PATH_RENAME_TARGET = 1 << 17;
export const RIGHT_PATH_FILESTAT_GET = 1 << 18;
export const RIGHT_PATH_FILESTAT_SET_SIZE = 1 << 19;
export const RIGHT_PATH_FILESTAT_SET_TIMES = 1 << 20;
export const RIGHT_FD_FILESTAT_GET = 1 << 21;
export const RIGHT_FD_FILESTAT_SET_SIZE = 1 << 22;
export const RIGHT_FD_FILESTAT_SET_TIMES = 1 << 23;
export const RIGHT_PATH_SYMLINK = 1 << 24;
export const RIGHT_PATH_REMOVE_DIRECTORY = 1 << 25;
export const RIGHT_PATH_UNLINK_FILE = 1 << 26;
export const RIGHT_POLL_FD_READWRITE = 1 << 27;
export const RIGHT_SOCK_SHUTDOWN = 1 << 28;
export const RIGHT_SOCK_ACCEPT = 1 << 29;

/** The most a regular file fd can hold (as uvwasi). */
export const RIGHTS_REGULAR_FILE_BASE = BigInt(
  RIGHT_FD_DATASYNC |
    RIGHT_FD_READ |
    RIGHT_FD_SEEK |
    RIGHT_FD_FDSTAT_SET_FLAGS |
    RIGHT_FD_SYNC |
    RIGHT_FD_TELL |
    RIGHT_FD_WRITE |
    RIGHT_FD_ADVISE |
    RIGHT_FD_ALLOCATE |
    RIGHT_FD_FILESTAT_GET |
    RIGHT_FD_FILESTAT_SET_SIZE |
    RIGHT_FD_FILESTAT_SET_TIMES |
    RIGHT_POLL_FD_READWRITE,
);
export const RIGHTS_REGULAR_FILE_INHERITING = 0n;

/** The most a directory fd can hold (as uvwasi). */
export const RIGHTS_DIRECTORY_BASE = BigInt(
  RIGHT_FD_FDSTAT_SET_FLAGS |
    RIGHT_FD_SYNC |
    RIGHT_FD_ADVISE |
    RIGHT_PATH_CREATE_DIRECTORY |
    RIGHT_PATH_CREATE_FILE |
    RIGHT_PATH_LINK_SOURCE |
    RIGHT_PATH_LINK_TARGET |
    RIGHT_PATH_OPEN |
    RIGHT_FD_READDIR |
    RIGHT_PATH_READLINK |
    RIGHT_PATH_RENAME_SOURCE |
    RIGHT_PATH_RENAME_TARGET |
    RIGHT_PATH_FILESTAT_GET |
    RIGHT_PATH_FILESTAT_SET_SIZE |
    RIGHT_PATH_FILESTAT_SET_TIMES |
    RIGHT_FD_FILESTAT_GET |
    RIGHT_FD_FILESTAT_SET_TIMES |
    RIGHT_PATH_SYMLINK |
    RIGHT_PATH_REMOVE_DIRECTORY |
    RIGHT_PATH_UNLINK_FILE |
    RIGHT_POLL_FD_READWRITE,
);
export const RIGHTS_DIRECTORY_INHERITING = RIGHTS_DIRECTORY_BASE | RIGHTS_REGULAR_FILE_BASE;

// fdflags
export const FDFLAGS_APPEND = 1;
export const FDFLAGS_DSYNC = 2;
export const FDFLAGS_NONBLOCK = 4;
export const FDFLAGS_RSYNC = 8;
export const FDFLAGS_SYNC = 16;
export const FDFLAGS_ALL = 31;

// oflags
export const OFLAGS_CREAT = 1;
export const OFLAGS_DIRECTORY = 2;
export const OFLAGS_EXCL = 4;
export const OFLAGS_TRUNC = 8;

// lookupflags
export const LOOKUPFLAGS_SYMLINK_FOLLOW = 1;

// whence
export const WHENCE_SET = 0;
export const WHENCE_CUR = 1;
export const WHENCE_END = 2;

// clockid
export const CLOCKID_REALTIME = 0;
export const CLOCKID_MONOTONIC = 1;
export const CLOCKID_PROCESS_CPUTIME_ID = 2;
export const CLOCKID_THREAD_CPUTIME_ID = 3;

// fstflags
export const FSTFLAGS_ATIM = 1;
export const FSTFLAGS_ATIM_NOW = 2;
export const FSTFLAGS_MTIM = 4;
export const FSTFLAGS_MTIM_NOW = 8;

// eventtype, eventrwflags, subclockflags
export const EVENTTYPE_CLOCK = 0;
export const EVENTTYPE_FD_READ = 1;
export const EVENTTYPE_FD_WRITE = 2;
export const EVENTRWFLAGS_FD_READWRITE_HANGUP = 1;
export const SUBCLOCKFLAGS_ABSTIME = 1;

// advice
export const ADVICE_NOREUSE = 5;

// preopentype
export const PREOPENTYPE_DIR = 0;

// sockets: riflags, roflags, sdflags
export const RIFLAGS_RECV_PEEK = 1;
export const RIFLAGS_RECV_WAITALL = 2;
export const ROFLAGS_RECV_DATA_TRUNCATED = 1;
export const SDFLAGS_RD = 1;
export const SDFLAGS_WR = 2;

/** Highest signal number (signal.sigsys). */
export const SIGNAL_MAX = 30;
