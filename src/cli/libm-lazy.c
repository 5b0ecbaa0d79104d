/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libm, loaded when first used. The CLI links SQLite statically, and SQLite's
 * SQL math functions (acos() ... trunc()) are the only code that needs libm:
 * berth's own queries never call them. Linked, libm costs every command its
 * loading, relocation and ifunc resolvers, about 0.6 ms and 11 page faults
 * (measured on a program that only prints). So each libm function that the
 * static libraries use is defined here with <math.h>'s prototype and forwards
 * to the real one, looked up on the first call (lib/dl.h).
 *
 * A static library that starts to use another libm function still links:
 * the linker then takes it from libm, which is needed again at start-up
 * (tests/unit/test-cli-libs.sh notices). Add one line below for it.
 * Built into the CLI only when its libraries are linked statically (cli_static).
 */
#include <gnu/lib-names.h>
#include <math.h>

#include "lib/dl.h"

static void *libm_handle;

#define LM1(name)                                                                                                      \
        double name(double x)                                                                                          \
        {                                                                                                              \
                DL_FORWARD(&libm_handle, LIBM_SO, name)                                                                \
                return f(x);                                                                                           \
        }
#define LM2(name)                                                                                                      \
        double name(double x, double y)                                                                                \
        {                                                                                                              \
                DL_FORWARD(&libm_handle, LIBM_SO, name)                                                                \
                return f(x, y);                                                                                        \
        }

LM1(acos)
LM1(acosh)
LM1(asin)
LM1(asinh)
LM1(atan)
LM2(atan2)
LM1(atanh)
LM1(cos)
LM1(cosh)
LM1(exp)
LM2(fmod)
LM1(log)
LM2(pow)
LM1(sin)
LM1(sinh)
LM1(sqrt)
LM1(tan)
LM1(tanh)
LM1(trunc)
