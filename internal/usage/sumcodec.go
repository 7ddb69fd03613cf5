// sumcodec.go writes sums as one value, the way the usage store keeps
// them: a row per organization and day (coarse), or per organization and
// month (fine), instead of one per account and metric (writing and reading
// millions of rows was the store's cost). Each text is written once per
// value and the sums name it by number, a sum of the same texts as the one
// before it names none, and a cost equal to the one before it is not
// written again: so a value is small, and a reader looks a text up once
// per value, not once per sum.

package usage

import (
	"cmp"
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"time"
)

var errSums = errors.New("usage store: a day's sums are damaged")

// The texts of a Sum, in the order a value writes them.
const (
	fAccount = iota
	fAccountName
	fMetric
	fMetricName
	fFamily
	fZone
	fZoneName
	fRegion
	fRegionName
	fSub
	fSubName
	fCurrency
	fUnit
	nFields
)

func (s *Sum) fields() [nFields]*string {
	return [nFields]*string{&s.Account, &s.AccountName, &s.Metric, &s.MetricName, &s.Family, &s.Zone, &s.ZoneName,
		&s.Region, &s.RegionName, &s.Sub, &s.SubName, &s.Currency, &s.Unit}
}

// tableMark begins a value with its texts in a table: a number no earlier
// value begins with (zero written in two bytes; earlier values began with
// their count of sums, written in as few bytes as it takes).
var tableMark = [2]byte{0x80, 0x00}

// A sum's flags: bit 0 a correction; bit 1+i, cost i equals the cost
// before it (which is then not written again); bit 5, its texts are those
// of the sum before it; bit 6, its quantity and costs are whole
// thousandths, written as such (a varint of a few bytes, not eight).
const (
	flagCorrection = 1
	flagSameTexts  = 1 << 5
	flagThousandth = 1 << 6
)

// thousandths is v in thousandths, when that is exactly v.
func thousandths(v float64) (int64, bool) {
	if v == 0 && math.Signbit(v) {
		return 0, false // -0 would come back as 0
	}
	n := math.Round(v * 1000)
	if math.Abs(n) >= 1<<53 || n/1000 != v || math.Signbit(n) != math.Signbit(v) {
		return 0, false
	}
	return int64(n), true
}

// EncodeSums writes sums as one value; the first day of the value is their
// earliest, and each sum keeps its own.
func EncodeSums(sums []Sum) []byte {
	var first int64
	for i := range sums {
		if d := DayNumber(sums[i].Day); i == 0 || d < first {
			first = d
		}
	}
	ix := map[string]uint64{}
	var texts []string
	var prev [nFields]uint64
	rows := make([]byte, 0, 16+len(sums)*48)
	rows = binary.AppendUvarint(rows, uint64(len(sums)))
	for i := range sums {
		s := &sums[i]
		var t [nFields]uint64
		for f, str := range s.fields() {
			n, ok := ix[*str]
			if !ok {
				n = uint64(len(texts))
				ix[*str] = n
				texts = append(texts, *str)
			}
			t[f] = n
		}
		flags, last := byte(0), -1
		if s.Correction {
			flags = flagCorrection
		}
		if i > 0 && t == prev {
			flags |= flagSameTexts
		}
		for c := range s.Cost {
			if s.Costs&(1<<c) == 0 {
				continue
			}
			if last >= 0 && math.Float64bits(s.Cost[c]) == math.Float64bits(s.Cost[last]) {
				flags |= 2 << c
			}
			last = c
		}
		exact := true
		for c, v := range [5]float64{s.Cost[0], s.Cost[1], s.Cost[2], s.Cost[3], s.Qty} {
			if _, ok := thousandths(v); !ok && (c == 4 || s.Costs&(1<<c) != 0) {
				exact = false
			}
		}
		if exact {
			flags |= flagThousandth
		}
		rows = append(rows, flags)
		if flags&flagSameTexts == 0 {
			for _, n := range t {
				rows = binary.AppendUvarint(rows, n)
			}
		}
		prev = t
		rows = binary.AppendUvarint(rows, uint64(DayNumber(s.Day)-first))
		rows = append(rows, s.Costs)
		rows = binary.AppendVarint(rows, s.Records)
		number := func(v float64) {
			if n, _ := thousandths(v); exact {
				rows = binary.AppendVarint(rows, n)
				return
			}
			rows = binary.LittleEndian.AppendUint64(rows, math.Float64bits(v))
		}
		number(s.Qty)
		for c := range s.Cost {
			if s.Costs&(1<<c) != 0 && flags&(2<<c) == 0 {
				number(s.Cost[c])
			}
		}
	}
	b := append(make([]byte, 0, len(rows)+len(texts)*16+8), tableMark[:]...)
	b = binary.AppendUvarint(b, uint64(first))
	b = binary.AppendUvarint(b, uint64(len(texts)))
	for _, t := range texts {
		b = binary.AppendUvarint(b, uint64(len(t)))
		b = append(b, t...)
	}
	return append(b, rows...)
}

// SortSums orders sums by their texts, then day: the order in which a
// value writes the texts of a month's sums once per key.
func SortSums(sums []Sum) {
	slices.SortFunc(sums, func(a, b Sum) int {
		bf := b.fields()
		for f, x := range a.fields() {
			if c := cmp.Compare(*x, *bf[f]); c != 0 {
				return c
			}
		}
		return cmp.Or(cmp.Compare(DayNumber(a.Day), DayNumber(b.Day)), cmp.Compare(b2i(a.Correction), b2i(b.Correction)), cmp.Compare(a.Costs, b.Costs))
	})
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// maxDayInValue is the latest day a value's sum may have after its first.
const maxDayInValue = 366

// Block is one stored value decoded: its first day, its texts, and its
// sums naming them by number.
type Block struct {
	Day   time.Time
	Texts []string
	Keys  [][nFields]uint32 // the texts of a sum, by number
	Sums  []StoredSum
	first int64 // Day's number
	last  int32 // the latest day of its sums, after Day
}

// StoredSum is one Sum of a Block, its texts by the number of their key.
type StoredSum struct {
	Key        int32 // in Block.Keys (sums of one key have one number)
	Day        int32 // days after the Block's
	Correction bool
	Costs      uint8
	Records    int64
	Qty        float64
	Cost       [4]float64
}

// Sum writes sum i of b as a Sum.
func (b *Block) Sum(i int, s *Sum) {
	r := &b.Sums[i]
	*s = Sum{Day: FromDayNumber(b.first + int64(r.Day)), Correction: r.Correction, Costs: r.Costs, Records: r.Records, Qty: r.Qty, Cost: r.Cost}
	for f, dst := range s.fields() {
		*dst = b.Texts[b.Keys[r.Key][f]]
	}
}

// Keep drops the sums of b outside [from, to].
func (b *Block) Keep(from, to time.Time) {
	lo, hi := DayNumber(from)-b.first, DayNumber(to)-b.first
	if lo <= 0 && hi >= int64(b.last) {
		return
	}
	b.Sums = slices.DeleteFunc(b.Sums, func(s StoredSum) bool { return int64(s.Day) < lo || int64(s.Day) > hi })
}

// Strings keeps one copy of each text a reader decodes from values of the
// earlier layout, where every sum carried its texts (a value with a table
// copies each of its texts once instead).
type Strings map[string]string

// stringsKept is the most texts a Strings keeps (the rest are copied).
const stringsKept = 1 << 18

func (in Strings) of(b []byte) string {
	if s, ok := in[string(b)]; ok { // no allocation for the lookup
		return s
	}
	s := string(b)
	if len(in) < stringsKept {
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
	var blk Block
	if err := in.Block(b, day, &blk); err != nil {
		return err
	}
	var s Sum
	for i := range blk.Sums {
		blk.Sum(i, &s)
		if err := each(&s); err != nil {
			return err
		}
	}
	return nil
}

// Block decodes a value into blk, reusing its slices. The texts of a value
// of the earlier layout are kept in in, and day is its day (one
// organization's: those values did not say their first day).
func (in Strings) Block(b []byte, day time.Time, blk *Block) error {
	blk.Day, blk.first, blk.last, blk.Texts, blk.Keys, blk.Sums = day, DayNumber(day), 0, blk.Texts[:0], blk.Keys[:0], blk.Sums[:0]
	if len(b) < 2 || b[0] != tableMark[0] || b[1] != tableMark[1] {
		return in.blockInline(b, blk)
	}
	b = b[2:]
	first, k := binary.Uvarint(b)
	if k <= 0 || first > math.MaxInt32 {
		return errSums
	}
	blk.Day, blk.first, b = FromDayNumber(int64(first)), int64(first), b[k:]
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)) {
		return errSums
	}
	b = b[k:]
	for range n {
		l, k := binary.Uvarint(b)
		if k <= 0 || uint64(len(b)-k) < l {
			return errSums
		}
		blk.Texts = append(blk.Texts, string(b[k:k+int(l)])) // once a value: a copy costs less than a lookup
		b = b[k+int(l):]
	}
	rows, k := binary.Uvarint(b)
	if k <= 0 || rows > uint64(len(b)) {
		return errSums
	}
	b = b[k:]
	for i := range rows {
		if len(b) < 1 {
			return errSums
		}
		flags := b[0]
		b = b[1:]
		var r StoredSum
		switch {
		case flags&flagSameTexts != 0 && i == 0:
			return errSums
		case flags&flagSameTexts != 0:
			r.Key = int32(len(blk.Keys) - 1)
		default:
			var key [nFields]uint32
			for f := range key {
				t, k := binary.Uvarint(b)
				if k <= 0 || t >= uint64(len(blk.Texts)) {
					return errSums
				}
				key[f] = uint32(t)
				b = b[k:]
			}
			r.Key, blk.Keys = int32(len(blk.Keys)), append(blk.Keys, key)
		}
		day, k := binary.Uvarint(b)
		if k <= 0 || day > maxDayInValue {
			return errSums
		}
		r.Day, b = int32(day), b[k:]
		blk.last = max(blk.last, r.Day)
		var err error
		if b, err = r.decodeNumbers(flags, b); err != nil {
			return err
		}
		blk.Sums = append(blk.Sums, r)
	}
	if len(b) != 0 {
		return errSums
	}
	return nil
}

func (r *StoredSum) decodeNumbers(flags byte, b []byte) ([]byte, error) {
	if len(b) < 1 {
		return nil, errSums
	}
	r.Correction, r.Costs = flags&flagCorrection != 0, b[0]
	b = b[1:]
	rec, k := binary.Varint(b)
	if k <= 0 {
		return nil, errSums
	}
	r.Records = rec
	b = b[k:]
	next := func() (float64, bool) {
		if flags&flagThousandth != 0 {
			n, k := binary.Varint(b)
			if k <= 0 {
				return 0, false
			}
			b = b[k:]
			return float64(n) / 1000, true
		}
		if len(b) < 8 {
			return 0, false
		}
		f := math.Float64frombits(binary.LittleEndian.Uint64(b))
		b = b[8:]
		return f, true
	}
	var ok bool
	if r.Qty, ok = next(); !ok {
		return nil, errSums
	}
	prev := -1
	for c := range r.Cost {
		if r.Costs&(1<<c) == 0 {
			continue
		}
		switch {
		case flags&(2<<c) != 0 && prev >= 0:
			r.Cost[c] = r.Cost[prev]
		case flags&(2<<c) != 0:
			return nil, errSums
		default:
			if r.Cost[c], ok = next(); !ok {
				return nil, errSums
			}
		}
		prev = c
	}
	return b, nil
}

// blockInline decodes a value written before the texts had a table (each
// sum with its texts inline, and every cost written).
func (in Strings) blockInline(b []byte, blk *Block) error {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)) {
		return errSums
	}
	b = b[k:]
	ix := map[string]uint32{}
	for range n {
		var r StoredSum
		var key [nFields]uint32
		for f := range key {
			l, k := binary.Uvarint(b)
			if k <= 0 || uint64(len(b)-k) < l {
				return errSums
			}
			t := in.of(b[k : k+int(l)])
			i, ok := ix[t]
			if !ok {
				i = uint32(len(blk.Texts))
				ix[t] = i
				blk.Texts = append(blk.Texts, t)
			}
			key[f] = i
			b = b[k+int(l):]
		}
		r.Key, blk.Keys = int32(len(blk.Keys)), append(blk.Keys, key)
		if len(b) < 2 {
			return errSums
		}
		r.Correction, r.Costs = b[0]&1 != 0, b[1]
		rec, k := binary.Varint(b[2:])
		if k <= 0 || len(b)-2-k < 40 {
			return errSums
		}
		r.Records = rec
		b = b[2+k:]
		for _, dst := range [...]*float64{&r.Qty, &r.Cost[0], &r.Cost[1], &r.Cost[2], &r.Cost[3]} {
			*dst = math.Float64frombits(binary.LittleEndian.Uint64(b))
			b = b[8:]
		}
		blk.Sums = append(blk.Sums, r)
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
