/* codecs-priv.h - codec table entries, one file per codec in codecs/. */
#ifndef K2E_CODECS_PRIV_H
#define K2E_CODECS_PRIV_H

#include "codecs/codec.h"

extern const struct k2e_codec k2e_codec_zlib;		/* zlib's inflate */
extern const struct k2e_codec k2e_codec_zlib_libdeflate;	/* zlib pages, libdeflate */
extern const struct k2e_codec k2e_codec_zlib_isal;		/* zlib pages, ISA-L */
extern const struct k2e_codec k2e_codec_lzo;
extern const struct k2e_codec k2e_codec_snappy;
extern const struct k2e_codec k2e_codec_zstd;

#endif
