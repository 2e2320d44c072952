/*
 * Merge DEX files into as few DEX files as the DEX format allows (bench/popular_apps.py, issue #19).
 *
 * Usage (JDK 11+ runs this source file directly; dexlib2 from Debian's libsmali-java):
 *
 *   java -cp /usr/share/java/dexlib2.jar:/usr/share/java/guava.jar bench/DexMerge.java \
 *        OUT_DIR TARGET_BYTES MAX_REFS IN.dex...
 *
 * The classes of the inputs, in input order (class_def order within a file), are interned into a dexlib2 DexPool;
 * when one more class would take the pool past MAX_REFS method ids, field ids or type ids (65536 is the format's
 * limit, as d8 fills a classesN.dex), the pool is rolled back to before that class, written as the next
 * OUT_DIR/classesN.dex, and a new pool starts with that class. It stops once about TARGET_BYTES have been written:
 * the last file is cut at the number of classes the bytes per class so far predict for the bytes left.
 *
 * A class whose type is already in the output is skipped (counted as a duplicate), and so is a class dexlib2
 * cannot intern (counted as failed, with the first messages). The output DEX version is the highest of the inputs
 * read. OUT_DIR/classes.txt lists every class written (one descriptor a line). The last line on stdout is one JSON
 * object: files (name, bytes, classes), classes_in (classes read), classes_out, duplicates, failed, failures (the
 * first messages), inputs_used (how many input files were read, from the first).
 */

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jf.dexlib2.DexFileFactory;
import org.jf.dexlib2.Opcodes;
import org.jf.dexlib2.dexbacked.DexBackedClassDef;
import org.jf.dexlib2.dexbacked.DexBackedDexFile;
import org.jf.dexlib2.writer.io.FileDataStore;
import org.jf.dexlib2.writer.pool.DexPool;

public class DexMerge {
    static File outDir;
    static int version = 35;
    static final List<String> files = new ArrayList<>();
    static final List<String> written = new ArrayList<>();
    static long bytesWritten = 0;
    static int classesWritten = 0;

    static int dexVersion(File f) throws IOException {
        byte[] head = new byte[8];
        try (var in = Files.newInputStream(f.toPath())) {
            if (in.readNBytes(head, 0, 8) < 8) {
                throw new IOException("short DEX " + f);
            }
        }
        return Integer.parseInt(new String(head, 4, 3, "US-ASCII"));
    }

    static void flush(DexPool pool, List<String> inPool) throws IOException {
        if (inPool.isEmpty()) {
            return;
        }
        String name = files.isEmpty() ? "classes.dex" : "classes" + (files.size() + 1) + ".dex";
        File out = new File(outDir, name);
        pool.writeTo(new FileDataStore(out));
        long size = out.length();
        bytesWritten += size;
        classesWritten += inPool.size();
        written.addAll(inPool);
        files.add(String.format("{\"name\": \"%s\", \"bytes\": %d, \"classes\": %d}", name, size, inPool.size()));
        inPool.clear();
    }

    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replaceAll("[\\x00-\\x1f]", "?") + "\"";
    }

    public static void main(String[] args) throws IOException {
        outDir = new File(args[0]);
        long target = Long.parseLong(args[1]);
        int maxRefs = Integer.parseInt(args[2]);
        List<File> inputs = new ArrayList<>();
        long inBytes = 0;
        for (int i = 3; i < args.length; i++) {
            File f = new File(args[i]);
            inputs.add(f);
            inBytes += f.length();
            version = Math.max(version, dexVersion(f));
        }
        Opcodes opcodes = Opcodes.forDexVersion(version);
        // First guess of the output bytes per class: the inputs' (replaced by the output's once a file is written).
        int inClasses = 0;
        Set<String> seen = new HashSet<>();
        List<String> failures = new ArrayList<>();
        int duplicates = 0;
        int failed = 0;
        int classesIn = 0;
        int inputsUsed = 0;
        DexPool pool = new DexPool(opcodes);
        List<String> inPool = new ArrayList<>();
        double perClass = -1;
        boolean done = false;
        for (File f : inputs) {
            if (done) {
                break;
            }
            DexBackedDexFile dex = DexFileFactory.loadDexFile(f, Opcodes.forDexVersion(dexVersion(f)));
            inputsUsed++;
            if (perClass < 0) {
                inClasses = dex.getClasses().size();
                perClass = (double) f.length() / Math.max(1, inClasses);
            }
            for (DexBackedClassDef c : dex.getClasses()) {
                classesIn++;
                String type = c.getType();
                if (seen.contains(type)) {
                    duplicates++;
                    continue;
                }
                pool.mark();
                try {
                    pool.internClass(c);
                } catch (RuntimeException e) {
                    pool.reset();
                    failed++;
                    if (failures.size() < 5) {
                        failures.add(type + ": " + e);
                    }
                    continue;
                }
                if (pool.hasOverflowed(maxRefs)) {
                    pool.reset();
                    flush(pool, inPool);
                    perClass = (double) bytesWritten / classesWritten;
                    if (bytesWritten >= target) {
                        classesIn--;  // read but left out: the app is big enough
                        done = true;
                        break;
                    }
                    pool = new DexPool(opcodes);
                    pool.internClass(c);  // it fitted a pool with others: it fits an empty one
                }
                seen.add(type);
                inPool.add(type);
                if (bytesWritten + inPool.size() * perClass >= target) {
                    flush(pool, inPool);
                    done = true;
                    break;
                }
            }
        }
        flush(pool, inPool);
        try (PrintWriter w = new PrintWriter(new File(outDir, "classes.txt"), "UTF-8")) {
            for (String t : written) {
                w.println(t);
            }
        }
        List<String> quoted = new ArrayList<>();
        for (String s : failures) {
            quoted.add(quote(s));
        }
        System.out.println(String.format(
                "{\"files\": [%s], \"classes_in\": %d, \"classes_out\": %d, \"duplicates\": %d, \"failed\": %d, "
                        + "\"failures\": [%s], \"inputs_used\": %d, \"input_bytes\": %d, \"dex_version\": %d}",
                String.join(", ", files), classesIn, classesWritten, duplicates, failed, String.join(", ", quoted),
                inputsUsed, inBytes, version));
    }
}
