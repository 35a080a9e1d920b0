namespace Reference.AppHost.Publishing;

/// <summary>
/// Writes the manifests so that a failure leaves the previous output as it was: everything is written to a
/// staging directory beside the target first, then <c>base/</c> is swapped in. The production overlay is an
/// example the user owns once it exists, so it is written only when it does not exist yet.
/// </summary>
internal static class ManifestOutput
{
    /// <returns>The relative paths written.</returns>
    public static async Task<IReadOnlyList<string>> WriteAsync(string outputDirectory, IReadOnlyDictionary<string, string> files, CancellationToken cancellationToken)
    {
        var root = Path.GetFullPath(outputDirectory);
        if (File.Exists(root))
        {
            throw new IOException($"'{root}' is a file, not a directory.");
        }

        Directory.CreateDirectory(root);
        var overlayExists = Directory.Exists(Path.Combine(root, KubernetesPublisher.ProductionOverlayDirectory));
        var selected = files
            .Where(f => !(overlayExists && f.Key.StartsWith(KubernetesPublisher.ProductionOverlayDirectory + "/", StringComparison.Ordinal)))
            .ToList();
        var staging = Path.Combine(root, $".publish-{Guid.NewGuid():N}");
        try
        {
            foreach (var (relative, content) in selected)
            {
                var path = Path.Combine(staging, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                await File.WriteAllTextAsync(path, content, cancellationToken);
            }

            var baseTarget = Path.Combine(root, KubernetesPublisher.BaseDirectory);
            var previous = Path.Combine(staging, ".previous-base");
            if (Directory.Exists(baseTarget))
            {
                Directory.Move(baseTarget, previous);
            }

            Directory.Move(Path.Combine(staging, KubernetesPublisher.BaseDirectory), baseTarget);
            if (!overlayExists && Directory.Exists(Path.Combine(staging, KubernetesPublisher.ProductionOverlayDirectory)))
            {
                Directory.CreateDirectory(Path.Combine(root, "overlays"));
                Directory.Move(Path.Combine(staging, KubernetesPublisher.ProductionOverlayDirectory), Path.Combine(root, KubernetesPublisher.ProductionOverlayDirectory));
            }
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }

        return [.. selected.Select(f => f.Key)];
    }
}
