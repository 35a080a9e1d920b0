namespace Reference.AppHost.Publishing;

/// <summary>The model cannot be published (securely): the message says why and what to change.</summary>
internal sealed class PublishException(string message) : Exception(message);
