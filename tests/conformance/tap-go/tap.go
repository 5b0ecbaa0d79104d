// Package tap writes Test Anything Protocol (TAP) version 13 output.
//
// Berth's own code, written from the TAP 13 specification
// (https://testanything.org/tap-version-13-specification.html) and from the
// calls that opencontainers/runtime-tools' validation programs and
// cmd/runtimetest make. It provides exactly that subset, under the import
// path those programs use (github.com/mndrix/tap-go), so that they build
// offline from Debian's archive: Debian 12 does not package that library.
// scripts/conformance.sh links this directory into a temporary GOPATH.
package tap

import (
	"fmt"
	"io"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

// T is a TAP producer. The zero value is not usable; call New.
type T struct {
	// Writer receives the TAP stream (os.Stdout from New).
	Writer io.Writer
	count  int
	todo   bool // the next result is a TODO test point
}

// New returns a producer writing to standard output.
func New() *T {
	return &T{Writer: os.Stdout}
}

func (t *T) printf(format string, a ...interface{}) {
	fmt.Fprintf(t.Writer, format, a...)
}

// Header writes the version line and, if testCount is positive, the plan.
// With testCount 0 the plan is left to AutoPlan at the end.
func (t *T) Header(testCount int) {
	t.printf("TAP version 13\n")
	if testCount > 0 {
		t.printf("1..%d\n", testCount)
	}
}

// escape keeps a description from being read as a directive or a new line.
func escape(s string) string {
	s = strings.ReplaceAll(s, "\\", "\\\\")
	s = strings.ReplaceAll(s, "#", "\\#")
	s = strings.ReplaceAll(s, "\r", " ")
	return strings.ReplaceAll(s, "\n", " ")
}

// Ok writes one test point: "ok N - description" when test is true,
// "not ok N - description" otherwise.
func (t *T) Ok(test bool, description string) {
	t.count++
	status := "ok"
	if !test {
		status = "not ok"
	}
	line := fmt.Sprintf("%s %d - %s", status, t.count, escape(description))
	if t.todo {
		line += " # TODO"
		t.todo = false
	}
	t.printf("%s\n", line)
}

// Pass writes a passing test point.
func (t *T) Pass(description string) { t.Ok(true, description) }

// Fail writes a failing test point.
func (t *T) Fail(description string) { t.Ok(false, description) }

// Skip writes count skipped test points with the reason as the directive.
func (t *T) Skip(count int, reason string) {
	for i := 0; i < count; i++ {
		t.count++
		t.printf("ok %d # SKIP %s\n", t.count, escape(reason))
	}
}

// Todo returns the producer with its next test point marked "# TODO"
// (a failure there is expected and does not count).
func (t *T) Todo() *T {
	t.todo = true
	return t
}

// Count is the number of test points written so far.
func (t *T) Count() int { return t.count }

// AutoPlan writes the plan "1..N" for the N test points written so far;
// called once at the end by programs that gave Header no count.
func (t *T) AutoPlan() {
	t.printf("1..%d\n", t.count)
}

// Diagnostic writes a message as "# " comment lines, one per line.
func (t *T) Diagnostic(message string) {
	for _, l := range strings.Split(strings.TrimRight(message, "\n"), "\n") {
		t.printf("# %s\n", l)
	}
}

// Diagnosticf formats a message and writes it as Diagnostic does.
func (t *T) Diagnosticf(format string, a ...interface{}) {
	t.Diagnostic(fmt.Sprintf(format, a...))
}

// YAML writes v as a TAP 13 YAML block ("  ---" ... "  ...") after the
// last test point.
func (t *T) YAML(v interface{}) error {
	b, err := yaml.Marshal(v)
	if err != nil {
		return err
	}
	var sb strings.Builder
	sb.WriteString("  ---\n")
	for _, l := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		sb.WriteString("  ")
		sb.WriteString(l)
		sb.WriteString("\n")
	}
	sb.WriteString("  ...\n")
	t.printf("%s", sb.String())
	return nil
}
