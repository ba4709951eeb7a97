package dev.tiletrain.data;

import java.io.BufferedReader;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Every read of the data module goes through here, so that any file system Hadoop reaches (file://, hdfs://,
 * s3a://, ...) works. I/O failures become {@link DataException}s naming the path.
 */
public final class HadoopFiles {
    private final Configuration conf;

    public HadoopFiles(Configuration conf) {
        this.conf = conf;
    }

    /** With the Hadoop configuration found on the classpath (core-site.xml, hdfs-site.xml). */
    public static HadoopFiles withDefaultConfiguration() {
        return new HadoopFiles(new Configuration());
    }

    public Configuration configuration() {
        return conf;
    }

    public boolean exists(Path path) {
        try {
            return fileSystem(path).exists(path);
        } catch (IOException e) {
            throw new DataException(path, "cannot read: " + e.getMessage());
        }
    }

    /** The open file; the caller closes it. */
    public InputStream open(Path path) {
        try {
            return fileSystem(path).open(path);
        } catch (FileNotFoundException e) {
            throw new DataException(path, notFound(path));
        } catch (IOException e) {
            throw new DataException(new Problem(path, 0, "cannot read: " + e.getMessage()), e);
        }
    }

    /** The file's text lines (UTF-8), line terminators removed. */
    public List<String> lines(Path path) {
        return linesIfExists(path).orElseThrow(() -> new DataException(path, "no such file"));
    }

    /**
     * The file's text lines, or empty when there is no such file (one request, not an exists() and a read). A
     * directory at {@code path} is an error, not an absent file.
     */
    public Optional<List<String>> linesIfExists(Path path) {
        InputStream stream;
        try {
            stream = fileSystem(path).open(path);
        } catch (FileNotFoundException e) {
            if (isDirectory(path)) {
                throw new DataException(path, notFound(path));
            }
            return Optional.empty();
        } catch (IOException e) {
            throw new DataException(new Problem(path, 0, "cannot read: " + e.getMessage()), e);
        }
        try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            List<String> lines = new ArrayList<>();
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lines.add(line);
            }
            return Optional.of(lines);
        } catch (IOException e) {
            throw new DataException(new Problem(path, 0, "cannot read: " + e.getMessage()), e);
        }
    }

    /** Why {@code path} could not be opened: a directory (file systems report it as not found), or missing. */
    private String notFound(Path path) {
        return isDirectory(path) ? "is a directory, expected a file" : "no such file";
    }

    private boolean isDirectory(Path path) {
        try {
            return fileSystem(path).getFileStatus(path).isDirectory();
        } catch (IOException e) {
            return false;
        }
    }

    private FileSystem fileSystem(Path path) throws IOException {
        // FileSystem instances are cached per scheme and authority by Hadoop; they must not be closed here.
        return path.getFileSystem(conf);
    }
}
