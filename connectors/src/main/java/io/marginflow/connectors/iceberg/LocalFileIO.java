package io.marginflow.connectors.iceberg;

import java.io.File;
import java.net.URI;
import org.apache.iceberg.Files;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;

/**
 * Iceberg files on the local file system, for the embedded lake ({@code iceberg.catalog.io-impl}): iceberg-core's own
 * local IO goes through Hadoop, which marginflow does not ship. Production catalogs bring their own FileIO (S3, GCS).
 */
public final class LocalFileIO implements FileIO {
  @Override
  public InputFile newInputFile(String location) {
    return Files.localInput(file(location));
  }

  @Override
  public OutputFile newOutputFile(String location) {
    File f = file(location);
    File parent = f.getParentFile();
    if (parent != null && !parent.isDirectory() && !parent.mkdirs() && !parent.isDirectory()) {
      throw new IllegalStateException("Cannot create " + parent);
    }
    return Files.localOutput(f);
  }

  @Override
  public void deleteFile(String location) {
    File f = file(location);
    if (f.exists() && !f.delete()) {
      throw new IllegalStateException("Cannot delete " + f);
    }
  }

  private static File file(String location) {
    return location.startsWith("file:") ? new File(URI.create(location)) : new File(location);
  }
}
