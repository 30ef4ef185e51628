// FsError codes (POSIX names) to WASI errno numbers.

import type { Errno, FsError } from '../../overlay/types.ts';
import * as d from './defs.ts';

const ERRNO_OF: Record<Errno, number> = {
  ENOENT: d.ERRNO_NOENT,
  EEXIST: d.ERRNO_EXIST,
  ENOTDIR: d.ERRNO_NOTDIR,
  EISDIR: d.ERRNO_ISDIR,
  ENOTEMPTY: d.ERRNO_NOTEMPTY,
  EACCES: d.ERRNO_ACCES,
  EPERM: d.ERRNO_PERM,
  EROFS: d.ERRNO_ROFS,
  ELOOP: d.ERRNO_LOOP,
  EINVAL: d.ERRNO_INVAL,
  EBADF: d.ERRNO_BADF,
  EXDEV: d.ERRNO_XDEV,
  ENAMETOOLONG: d.ERRNO_NAMETOOLONG,
  ENOSPC: d.ERRNO_NOSPC,
  EBUSY: d.ERRNO_BUSY,
  ENOTSUP: d.ERRNO_NOTSUP,
  EIO: d.ERRNO_IO,
  EFBIG: d.ERRNO_FBIG,
  EMLINK: d.ERRNO_MLINK,
  ENXIO: d.ERRNO_NXIO,
};

export const wasiErrno = (error: FsError): number => ERRNO_OF[error.code] ?? d.ERRNO_IO;
