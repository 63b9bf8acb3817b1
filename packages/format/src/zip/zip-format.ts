/** Record signatures and limits of the zip format (PKWARE APPNOTE 6.3.x). */
export const SIG_LOCAL_HEADER = 0x04034b50;
export const SIG_DATA_DESCRIPTOR = 0x08074b50;
export const SIG_CENTRAL_HEADER = 0x02014b50;
export const SIG_EOCD = 0x06054b50;
export const SIG_ZIP64_EOCD = 0x06064b50;
export const SIG_ZIP64_LOCATOR = 0x07064b50;

export const LOCAL_HEADER_SIZE = 30;
export const CENTRAL_HEADER_SIZE = 46;
export const EOCD_SIZE = 22;
export const ZIP64_EOCD_SIZE = 56;
export const ZIP64_LOCATOR_SIZE = 20;
/** The end record may be followed by a comment of up to 65,535 bytes. */
export const EOCD_MAX_SEARCH = EOCD_SIZE + 0xffff;

export const EXTRA_ZIP64 = 0x0001;

/** A 32-bit size/offset field at this value means "see the ZIP64 extra field". */
export const MAX_32 = 0xffffffff;
/** A 16-bit count at this value means "see the ZIP64 end record". */
export const MAX_16 = 0xffff;

export const FLAG_ENCRYPTED = 0x0001;
export const FLAG_DATA_DESCRIPTOR = 0x0008;
export const FLAG_STRONG_ENCRYPTION = 0x0040;
export const FLAG_UTF8 = 0x0800;

export const METHOD_STORED = 0;
export const METHOD_DEFLATE = 8;
/** WinZip AES marks encrypted entries with this method. */
export const METHOD_AES = 99;

export const VERSION_DEFAULT = 20;
export const VERSION_ZIP64 = 45;
/** "Version made by": high byte 3 = Unix, so external attributes carry a POSIX mode. */
export const MADE_BY_UNIX = 3;

export const S_IFMT = 0o170000;
export const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;
export const S_IFDIR = 0o040000;
