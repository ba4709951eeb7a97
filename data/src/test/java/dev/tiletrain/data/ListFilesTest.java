package dev.tiletrain.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** .data, .names and list files through file://, and each of their bad inputs. */
class ListFilesTest {
    @TempDir
    java.nio.file.Path dir;
    private final HadoopFiles files = HadoopFiles.withDefaultConfiguration();

    private Path write(String name, String text) throws IOException {
        java.nio.file.Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return new Path(p.toUri());
    }

    private static String messageOf(Runnable r) {
        return assertThrows(DataException.class, r::run).getMessage();
    }

    @Test
    void readsDataFileAsDarknetWithPathsRelativeToIt() throws IOException {
        write("sets/a.names", "cat\ndog\n\n");
        Path data = write("sets/a.data", "# comment\n; another\n\nclasses = 2\ntrain=lists/train.txt\nvalid=/abs/valid.txt\n"
                + "names=a.names\nbackup=backup/\nclasses=7\n");
        DataFile d = DataFile.read(files, data);
        assertEquals(2, d.classes());
        assertEquals(new Path(dir.resolve("sets/lists/train.txt").toUri()), d.train());
        assertEquals("/abs/valid.txt", d.valid().toUri().getPath());
        assertEquals(List.of("cat", "dog"), d.classNames(files));
    }

    @Test
    void dataFileErrorsNameFileLineAndKey() throws IOException {
        Path noEq = write("x.data", "classes=2\ntrain\n");
        assertEquals(noEq + ":2: expected key=value, got 'train'", messageOf(() -> DataFile.read(files, noEq)));
        Path badClasses = write("y.data", "train=t.txt\nclasses=two\n");
        assertEquals(badClasses + ":2: classes must be a positive integer, got 'two'",
                messageOf(() -> DataFile.read(files, badClasses)));
        Path noClasses = write("z.data", "train=t.txt\n");
        assertEquals(noClasses + ": no classes= key", messageOf(() -> DataFile.read(files, noClasses)));
        Path noTrain = write("w.data", "classes=3\n");
        assertEquals(noTrain + ": no train= key", messageOf(() -> DataFile.read(files, noTrain)));
        Path missing = new Path(dir.resolve("nope.data").toUri());
        assertEquals(missing + ": no such file", messageOf(() -> DataFile.read(files, missing)));
        Path empty = write("empty.data", "");
        assertEquals(empty + ": the file is empty", messageOf(() -> DataFile.read(files, empty)));
        Path folder = new Path(java.nio.file.Files.createDirectories(dir.resolve("folder.data")).toUri());
        assertEquals(folder + ": is a directory, expected a file", messageOf(() -> DataFile.read(files, folder)));
    }

    @Test
    void namesMustCoverTheClasses() throws IOException {
        Path names = write("n.names", "cat\n");
        DataFile d = DataFile.read(files, write("n.data", "classes=2\ntrain=t.txt\nnames=n.names\n"));
        assertEquals(names + ": has 1 class names, but " + d.path() + " says classes=2", messageOf(() -> d.classNames(files)));
        DataFile unnamed = DataFile.read(files, write("u.data", "classes=2\ntrain=t.txt\n"));
        assertNull(unnamed.valid());
        assertEquals(List.of("class0", "class1"), unnamed.classNames(files));
    }

    @Test
    void listResolvesRelativeEntriesAgainstItsDirectory() throws IOException {
        Path list = write("l/train.txt", "images/a.jpg\n\n  /abs/b.png  \nfile:/elsewhere/c.jpg\n");
        List<Path> images = ImageList.read(files, list);
        assertEquals(List.of(new Path(dir.resolve("l/images/a.jpg").toUri()), new Path("file:/abs/b.png"),
                new Path("file:/elsewhere/c.jpg")), images);
    }

    @Test
    void missingAndEmptyListsAreErrors() throws IOException {
        Path missing = new Path(dir.resolve("none.txt").toUri());
        assertEquals(missing + ": list file does not exist", messageOf(() -> ImageList.read(files, missing)));
        Path empty = write("empty.txt", "\n  \n");
        assertEquals(empty + ": list names no images", messageOf(() -> ImageList.read(files, empty)));
        Path folder = new Path(java.nio.file.Files.createDirectories(dir.resolve("folder.txt")).toUri());
        assertEquals(folder + ": is a directory, expected a file", messageOf(() -> ImageList.read(files, folder)));
    }
}
