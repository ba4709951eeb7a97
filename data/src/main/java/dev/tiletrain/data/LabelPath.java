package dev.tiletrain.data;

import java.net.URI;
import java.net.URISyntaxException;
import org.apache.hadoop.fs.Path;

/**
 * Where Darknet looks for an image's label file: the first {@code images} in the path becomes {@code labels},
 * then the first {@code JPEGImages} becomes {@code labels} (Darknet's {@code find_replace} replaces one
 * occurrence each), and the extension becomes {@code .txt}. Scheme and authority are kept.
 */
public final class LabelPath {
    private LabelPath() {
    }

    public static Path of(Path image) {
        URI uri = image.toUri();
        String path = replaceFirst(replaceFirst(uri.getPath(), "images", "labels"), "JPEGImages", "labels");
        int slash = path.lastIndexOf('/');
        int dot = path.lastIndexOf('.');
        path = (dot > slash ? path.substring(0, dot) : path) + ".txt";
        try {
            return new Path(new URI(uri.getScheme(), uri.getAuthority(), path, null, null));
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("no label path for " + image, e);
        }
    }

    private static String replaceFirst(String s, String find, String replace) {
        int at = s.indexOf(find);
        return at < 0 ? s : s.substring(0, at) + replace + s.substring(at + find.length());
    }
}
