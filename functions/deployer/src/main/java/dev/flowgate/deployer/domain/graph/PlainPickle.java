package dev.flowgate.deployer.domain.graph;

import net.razorvine.pickle.Unpickler;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * Decodes a Python pickle that holds only plain values (None, bool, int, float, str, bytes, list, tuple, dict,
 * set) into Java values: {@code null}, Boolean, Long (BigInteger beyond 64 bits), Double, String, byte[], List,
 * Map (String keys where Python's were str), Set. Metaflow stores artifacts such as {@code _graph_info} this way.
 *
 * <p>Before anything is constructed, the whole opcode stream is walked: an opcode that names or builds a class
 * ({@code GLOBAL}, {@code STACK_GLOBAL}, {@code REDUCE}, {@code INST}, {@code OBJ}, {@code NEWOBJ},
 * {@code NEWOBJ_EX}, {@code BUILD}, the extension registry, persistent ids, out-of-band buffers) or one this class
 * does not know refuses the whole pickle, naming the opcode and its offset. Only then does Pyrolite decode it, so
 * no constructor of any class, Python's or Java's, can be reached from the bytes.
 */
public final class PlainPickle {
    /** The largest pickle decoded (bytes after gzip). {@code _graph_info} of a 200-step flow is about 200 KB. */
    public static final int MAX_PICKLE_BYTES = 16 * 1024 * 1024;
    /** The largest stored (gzipped) object read. */
    public static final int MAX_STORED_BYTES = 4 * 1024 * 1024;

    private PlainPickle() {
    }

    /** A pickle that names a class, is malformed, too large or not a gzip of a pickle. */
    public static final class Refused extends RuntimeException {
        public Refused(String message) {
            super(message);
        }
    }

    /** Decodes a Metaflow content-addressed blob: gzip of a pickle, each bounded in size. */
    public static Object decodeGzipped(byte[] stored) {
        if (stored.length > MAX_STORED_BYTES) {
            throw new Refused("the stored object is " + stored.length + " bytes, above the limit of " + MAX_STORED_BYTES);
        }
        return decode(gunzip(stored));
    }

    /** Gunzips at most {@link #MAX_PICKLE_BYTES}; more is refused rather than read. */
    public static byte[] gunzip(byte[] stored) {
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(stored))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) > 0) {
                if (out.size() + n > MAX_PICKLE_BYTES) {
                    throw new Refused("the object expands to more than " + MAX_PICKLE_BYTES + " bytes");
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new Refused("the stored object is not gzip: " + e.getMessage());
        }
    }

    /** Decodes a pickle of plain values; refuses (before constructing anything) one that names a class. */
    public static Object decode(byte[] pickle) {
        if (pickle.length > MAX_PICKLE_BYTES) {
            throw new Refused("the pickle is " + pickle.length + " bytes, above the limit of " + MAX_PICKLE_BYTES);
        }
        requirePlain(pickle);
        Object value;
        Unpickler unpickler = new Unpickler();
        try {
            value = unpickler.loads(pickle);
        } catch (IOException | RuntimeException e) {
            throw new Refused("the pickle could not be decoded: " + e.getMessage());
        } finally {
            unpickler.close();
        }
        return normalise(value);
    }

    /**
     * Walks the opcode stream (protocols 0–5) without building anything; throws {@link Refused} at the first opcode
     * that is not a plain-value opcode, at truncation, or when the stream does not end with STOP.
     */
    public static void requirePlain(byte[] p) {
        int i = 0;
        while (i < p.length) {
            int at = i;
            int op = p[i++] & 0xff;
            switch (op) {
                case '.' -> {
                    if (i != p.length) {
                        throw new Refused("the pickle has " + (p.length - i) + " bytes after STOP");
                    }
                    return;
                }
                // no argument
                case '(', '0', '1', '2', 'N', 0x88, 0x89, ']', 'a', 'e', 'l', ')', 't', 0x85, 0x86, 0x87, '}', 'd', 's', 'u',
                     0x8f, 0x90, 0x91, 0x94 -> {
                }
                case 0x80, 'K', 'h', 'q' -> i = skip(p, i, 1, at);          // PROTO, BININT1, BINGET, BINPUT
                case 'M' -> i = skip(p, i, 2, at);                          // BININT2
                case 'J', 'j', 'r' -> i = skip(p, i, 4, at);                // BININT, LONG_BINGET, LONG_BINPUT
                case 'G', 0x95 -> i = skip(p, i, 8, at);                    // BINFLOAT, FRAME
                case 'I', 'L', 'F', 'S', 'V', 'g', 'p' -> i = line(p, i, at); // text forms of protocol 0
                case 0x8a, 'U', 0x8c, 'C' -> i = counted(p, i, 1, at);       // LONG1, SHORT_BINSTRING, SHORT_BINUNICODE, SHORT_BINBYTES
                case 0x8b, 'T', 'X', 'B' -> i = counted(p, i, 4, at);        // LONG4, BINSTRING, BINUNICODE, BINBYTES
                case 0x8d, 0x8e -> i = counted(p, i, 8, at);                 // BINUNICODE8, BINBYTES8
                default -> throw new Refused("the pickle uses opcode " + name(op) + " at byte " + at
                        + ": only plain values (None, bool, numbers, str, bytes, list, tuple, dict, set) are accepted,"
                        + " never a class");
            }
        }
        throw new Refused("the pickle ends without STOP");
    }

    private static int skip(byte[] p, int i, int n, int at) {
        if (i + n > p.length) {
            throw new Refused("the pickle is truncated at byte " + at);
        }
        return i + n;
    }

    private static int line(byte[] p, int i, int at) {
        while (i < p.length && p[i] != '\n') {
            i++;
        }
        if (i >= p.length) {
            throw new Refused("the pickle is truncated at byte " + at);
        }
        return i + 1;
    }

    private static int counted(byte[] p, int i, int width, int at) {
        if (i + width > p.length) {
            throw new Refused("the pickle is truncated at byte " + at);
        }
        long n = 0;
        for (int k = width - 1; k >= 0; k--) {
            n = (n << 8) | (p[i + k] & 0xff);
        }
        if (n < 0 || n > p.length - i - width) {
            throw new Refused("the pickle is truncated at byte " + at);
        }
        return i + width + (int) n;
    }

    private static String name(int op) {
        return switch (op) {
            case 'c' -> "GLOBAL";
            case 0x93 -> "STACK_GLOBAL";
            case 'R' -> "REDUCE";
            case 'i' -> "INST";
            case 'o' -> "OBJ";
            case 0x81 -> "NEWOBJ";
            case 0x92 -> "NEWOBJ_EX";
            case 'b' -> "BUILD";
            case 0x82, 0x83, 0x84 -> "EXT";
            case 'P', 'Q' -> "PERSID";
            case 0x96 -> "BYTEARRAY8";
            case 0x97, 0x98 -> "NEXT_BUFFER";
            default -> String.format("0x%02x", op);
        };
    }

    /** Pyrolite's values as this module exposes them: Long for every int that fits, lists for tuples. */
    private static Object normalise(Object value) {
        if (value instanceof Integer n) {
            return n.longValue();
        }
        if (value instanceof BigInteger b) {
            return b.bitLength() < 64 ? (Object) b.longValue() : b;
        }
        if (value instanceof Object[] tuple) {
            List<Object> list = new ArrayList<>(tuple.length);
            for (Object item : tuple) {
                list.add(normalise(item));
            }
            return list;
        }
        if (value instanceof List<?> items) {
            List<Object> list = new ArrayList<>(items.size());
            for (Object item : items) {
                list.add(normalise(item));
            }
            return list;
        }
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(normalise(k), normalise(v)));
            return out;
        }
        if (value instanceof Set<?> set) {
            Set<Object> out = new HashSet<>();
            for (Object item : set) {
                out.add(normalise(item));
            }
            return out;
        }
        return value;
    }
}
