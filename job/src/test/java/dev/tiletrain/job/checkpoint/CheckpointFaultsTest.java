package dev.tiletrain.job.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.spy;

import java.io.IOException;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FsStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults of the file system under a checkpoint that the local disk will not produce on demand — a rename
 * that fails, a write cut short, a full disk — injected with Mockito into a real local FileSystem: the
 * previous checkpoint stays the newest complete one, and a full or unwritable directory is found before
 * training.
 */
class CheckpointFaultsTest {
    @TempDir
    Path dir;

    private FileSystem local() throws IOException {
        return FileSystem.getLocal(new Configuration());
    }

    private org.apache.hadoop.fs.Path target() {
        return new org.apache.hadoop.fs.Path(dir.toUri());
    }

    @Test
    void aFailedRenameLeavesThePreviousCheckpointNewest() throws IOException {
        FileSystem fs = spy(local());
        CheckpointStore store = new CheckpointStore(fs, target());
        store.write(1, CheckpointStoreTest.parts(1));
        doThrow(new IOException("rename refused")).when(fs).rename(any(), any());
        IOException e = assertThrows(IOException.class, () -> store.write(2, CheckpointStoreTest.parts(2)));
        assertTrue(e.getMessage().contains("rename refused"), e.getMessage());
        assertEquals(1, store.newest().orElseThrow().iteration());
    }

    @Test
    void aShortWriteLeavesThePreviousCheckpointNewest() throws IOException {
        FileSystem fs = spy(local());
        CheckpointStore store = new CheckpointStore(fs, target());
        store.write(1, CheckpointStoreTest.parts(1));
        // Every file of the next checkpoint accepts 1000 bytes, then the device is full.
        doAnswer(call -> {
            FSDataOutputStream real = (FSDataOutputStream) call.callRealMethod();
            return new FSDataOutputStream(new java.io.OutputStream() {
                private long written;

                @Override
                public void write(int b) throws IOException {
                    if (++written > 1000) {
                        throw new IOException("No space left on device");
                    }
                    real.write(b);
                }

                @Override
                public void close() throws IOException {
                    real.close();
                }
            }, null);
        }).when(fs).create(any(org.apache.hadoop.fs.Path.class), anyBoolean());
        assertThrows(IOException.class, () -> store.write(2, CheckpointStoreTest.parts(2)));
        assertEquals(1, store.newest().orElseThrow().iteration());
    }

    @Test
    void aFullDirectoryIsFoundBeforeTraining() throws IOException {
        FileSystem fs = spy(local());
        doReturn(new FsStatus(1L << 40, (1L << 40) - (1 << 20), 1 << 20)).when(fs).getStatus(any());
        CheckpointStore store = new CheckpointStore(fs, target());
        IOException e = assertThrows(IOException.class, () -> store.requireWritable(64L << 20));
        assertTrue(e.getMessage().endsWith(" has 1 MiB free; a checkpoint needs 64 MiB"), e.getMessage());
    }

    @Test
    void anUnwritableDirectoryIsFoundBeforeTraining() throws IOException {
        java.nio.file.Files.writeString(dir.resolve("a-file"), "not a directory");
        CheckpointStore store = CheckpointStore.at(dir.resolve("a-file").resolve("checkpoints").toUri().toString(),
                new Configuration());
        assertThrows(IOException.class, () -> store.requireWritable(1));
        assertTrue(java.nio.file.Files.isRegularFile(dir.resolve("a-file")), "the file is left as it was");
    }
}
