/*
 * detect_internal.h — what the files of src/detect/ share and nothing else
 * may use.
 */
#ifndef IPS_DETECT_DETECT_INTERNAL_H
#define IPS_DETECT_DETECT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

/* True for code points of scripts written without spaces between words
 * (Han, kana, Hangul, Thai, Lao): terms of them match without boundaries. */
bool detect__unspaced(uint32_t c);

#endif
