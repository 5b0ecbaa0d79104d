/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for src/cli/libm-lazy.c, linked into this program: each forwarding function
 * returns what libm returns. Inputs are volatile so the compiler cannot fold the calls.
 */
#include <math.h>

#include "tap.h"

static volatile double zero = 0.0, one = 1.0, half = 0.5, two = 2.0, three = 3.0, seven = 7.0, ten = 10.0;

#define ASSERT_NEAR(a, b) ASSERT_TRUE(fabs((a) - (b)) < 1e-12)

TEST(libm_lazy_forwards_each_function) {
        ASSERT_NEAR(acos(zero), M_PI / 2);
        ASSERT_NEAR(acosh(one), 0.0);
        ASSERT_NEAR(asin(one), M_PI / 2);
        ASSERT_NEAR(asinh(zero), 0.0);
        ASSERT_NEAR(atan(one), M_PI / 4);
        ASSERT_NEAR(atan2(one, one), M_PI / 4);
        ASSERT_NEAR(atanh(half), 0.5493061443340549);
        ASSERT_NEAR(cos(zero), 1.0);
        ASSERT_NEAR(cosh(zero), 1.0);
        ASSERT_NEAR(exp(one), M_E);
        ASSERT_NEAR(fmod(seven, three), 1.0);
        ASSERT_NEAR(log(ten), M_LN10);
        ASSERT_NEAR(pow(two, ten), 1024.0);
        ASSERT_NEAR(sin(zero), 0.0);
        ASSERT_NEAR(sinh(one), 1.1752011936438014);
        ASSERT_NEAR(sqrt(two), M_SQRT2);
        ASSERT_NEAR(tan(zero), 0.0);
        ASSERT_NEAR(tanh(one), 0.7615941559557649);
        ASSERT_NEAR(trunc(-seven / two), -3.0);
}

TEST(libm_lazy_keeps_errno_and_special_values) {
        errno = 0;
        ASSERT_TRUE(isnan(sqrt(-one)));
        ASSERT_EQ(errno, EDOM);
        errno = 0;
        ASSERT_TRUE(isinf(log(zero)));
        ASSERT_EQ(errno, ERANGE);
}
