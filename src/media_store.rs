//! Where photo files live: a directory on local disk, or an S3-compatible bucket shared by
//! every node (MinIO, Ceph, a cloud's S3). Both through the `object_store` crate, so the code
//! above does not know which.

use crate::config::{Config, MediaStoreConfig};
use anyhow::Context as _;
use bytes::Bytes;
use futures_util::{StreamExt as _, TryStreamExt as _};
use object_store::path::Path;
use object_store::{
    GetOptions, ObjectStore, PutMultipartOptions, PutOptions, PutPayload, WriteMultipart,
};
use std::sync::Arc;

#[derive(Clone)]
pub struct MediaStore {
    store: Arc<dyn ObjectStore>,
}

/// What went wrong reading a stored file.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no such file")]
    NotFound,
    #[error(transparent)]
    Other(#[from] object_store::Error),
}

impl MediaStore {
    /// Opens the configured store (creating the local directory when it is one).
    pub fn open(config: &Config) -> anyhow::Result<Self> {
        let store: Arc<dyn ObjectStore> = match &config.media_store {
            MediaStoreConfig { kind, .. } if kind == "local" => {
                let dir = config.media_dir();
                std::fs::create_dir_all(&dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
                Arc::new(
                    object_store::local::LocalFileSystem::new_with_prefix(&dir)
                        .with_context(|| format!("cannot use {} for media", dir.display()))?,
                )
            }
            s3 if s3.kind == "s3" => {
                let mut builder = object_store::aws::AmazonS3Builder::new()
                    .with_bucket_name(&s3.bucket)
                    .with_region(&s3.region)
                    .with_access_key_id(&s3.access_key_id)
                    .with_secret_access_key(s3.secret_access_key.expose())
                    .with_allow_http(s3.endpoint.starts_with("http://"));
                if !s3.endpoint.is_empty() {
                    // Self-hosted S3 servers answer at one address, with the bucket in the path.
                    builder = builder
                        .with_endpoint(&s3.endpoint)
                        .with_virtual_hosted_style_request(false);
                }
                Arc::new(
                    builder
                        .build()
                        .context("cannot configure S3 media storage")?,
                )
            }
            other => anyhow::bail!(
                "media_store.kind must be \"local\" or \"s3\", not {:?}",
                other.kind
            ),
        };
        Ok(Self { store })
    }

    /// Stores a file whole: readers see the old state or the new, never a part.
    pub async fn put(&self, name: &str, bytes: Vec<u8>) -> Result<(), StoreError> {
        // The trait's own (Send) methods, not the extension trait's shorthands.
        self.store
            .put_opts(
                &Path::from(name),
                PutPayload::from(Bytes::from(bytes)),
                PutOptions::default(),
            )
            .await?;
        Ok(())
    }

    pub async fn get(&self, name: &str) -> Result<Bytes, StoreError> {
        match self
            .store
            .get_opts(&Path::from(name), GetOptions::default())
            .await
        {
            Ok(found) => Ok(found.bytes().await?),
            Err(object_store::Error::NotFound { .. }) => Err(StoreError::NotFound),
            Err(error) => Err(error.into()),
        }
    }

    /// Stores the file at `from` under `name` in parts, so that a large file (an export) is
    /// never held in memory whole.
    pub async fn put_file(&self, name: &str, from: &std::path::Path) -> anyhow::Result<()> {
        use tokio::io::AsyncReadExt as _;
        let upload = self
            .store
            .put_multipart_opts(&Path::from(name), PutMultipartOptions::default())
            .await?;
        let mut writer = WriteMultipart::new(upload);
        let mut file = tokio::fs::File::open(from).await?;
        let mut buffer = vec![0_u8; 1 << 20];
        loop {
            let n = file.read(&mut buffer).await?;
            if n == 0 {
                break;
            }
            writer.wait_for_capacity(4).await?;
            writer.write(&buffer[..n]);
        }
        writer.finish().await?;
        Ok(())
    }

    /// A stored file as a stream of its bytes, for downloads too large to hold.
    pub async fn get_stream(
        &self,
        name: &str,
    ) -> Result<futures_util::stream::BoxStream<'static, Result<Bytes, StoreError>>, StoreError>
    {
        match self
            .store
            .get_opts(&Path::from(name), GetOptions::default())
            .await
        {
            Ok(found) => Ok(found.into_stream().map_err(StoreError::from).boxed()),
            Err(object_store::Error::NotFound { .. }) => Err(StoreError::NotFound),
            Err(error) => Err(error.into()),
        }
    }

    /// Removes a file; a file already gone is not an error.
    pub async fn delete(&self, name: &str) -> Result<(), StoreError> {
        let location = Path::from(name);
        let mut deleted = self
            .store
            .delete_stream(futures_util::stream::once(async move { Ok(location) }).boxed());
        match deleted.next().await {
            None | Some(Ok(_) | Err(object_store::Error::NotFound { .. })) => Ok(()),
            Some(Err(error)) => Err(error.into()),
        }
    }
}
