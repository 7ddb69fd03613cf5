// sumcodec.go writes a day's sums of one organization as one value, the
// way the usage store keeps them: a row per organization and day instead
// of one per account and metric (writing and reading a million rows was
// the store's cost; a row's sums decode in microseconds).

package usage

import (
	"encoding/binary"
	"errors"
	"math"
	"time"
)

var errSums = errors.New("usage store: a day's sums are damaged")

// EncodeSums writes sums (of one day) as one value.
func EncodeSums(sums []Sum) []byte {
	b := make([]byte, 0, 16+len(sums)*160)
	b = binary.AppendUvarint(b, uint64(len(sums)))
	for i := range sums {
		s := &sums[i]
		for _, str := range [...]string{s.Account, s.AccountName, s.Metric, s.MetricName, s.Family, s.Zone, s.ZoneName,
			s.Region, s.RegionName, s.Sub, s.SubName, s.Currency, s.Unit} {
			b = binary.AppendUvarint(b, uint64(len(str)))
			b = append(b, str...)
		}
		flags := byte(0)
		if s.Correction {
			flags = 1
		}
		b = append(b, flags, s.Costs)
		b = binary.AppendVarint(b, s.Records)
		for _, f := range [...]float64{s.Qty, s.Cost[0], s.Cost[1], s.Cost[2], s.Cost[3]} {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
		}
	}
	return b
}

// Strings keeps one copy of each text a reader decodes: the same metric,
// family and account names come back in every day's sums.
type Strings map[string]string

func (in Strings) of(b []byte) string {
	if s, ok := in[string(b)]; ok { // no allocation for the lookup
		return s
	}
	s := string(b)
	if len(in) < 1<<16 {
		in[s] = s
	}
	return s
}

// DecodeSums calls each with the sums of a value EncodeSums wrote, of day.
// The Sum passed is reused between calls.
func DecodeSums(b []byte, day time.Time, each func(*Sum) error) error {
	return Strings{}.Decode(b, day, each)
}

// Decode is DecodeSums keeping the texts in in.
func (in Strings) Decode(b []byte, day time.Time, each func(*Sum) error) error {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)) {
		return errSums
	}
	b = b[k:]
	var s Sum
	for range n {
		s = Sum{Day: day}
		for _, dst := range [...]*string{&s.Account, &s.AccountName, &s.Metric, &s.MetricName, &s.Family, &s.Zone, &s.ZoneName,
			&s.Region, &s.RegionName, &s.Sub, &s.SubName, &s.Currency, &s.Unit} {
			l, k := binary.Uvarint(b)
			if k <= 0 || uint64(len(b)-k) < l {
				return errSums
			}
			*dst = in.of(b[k : k+int(l)])
			b = b[k+int(l):]
		}
		if len(b) < 2 {
			return errSums
		}
		s.Correction, s.Costs = b[0]&1 != 0, b[1]
		b = b[2:]
		r, k := binary.Varint(b)
		if k <= 0 || len(b)-k < 40 {
			return errSums
		}
		s.Records = r
		b = b[k:]
		for _, dst := range [...]*float64{&s.Qty, &s.Cost[0], &s.Cost[1], &s.Cost[2], &s.Cost[3]} {
			*dst = math.Float64frombits(binary.LittleEndian.Uint64(b))
			b = b[8:]
		}
		if err := each(&s); err != nil {
			return err
		}
	}
	if len(b) != 0 {
		return errSums
	}
	return nil
}

// ByDay groups sums by their day, in order of the days.
func ByDay(sums []Sum) map[int64][]Sum {
	out := map[int64][]Sum{}
	for _, s := range sums {
		d := DayNumber(s.Day)
		out[d] = append(out[d], s)
	}
	return out
}
