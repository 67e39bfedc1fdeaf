//! A simulated community through the pipeline: redelivering a whole day changes nothing.

use std::sync::Arc;

use steward_engine::features::{FeaturesConfig, registry};
use steward_engine::{Outcome, Pipeline, PipelineConfig};
use steward_simulator::{SimConfig, Simulation};
use steward_store::Database;
use steward_store::testing::TestDatabase;

use crate::{block_on, blocking};

async fn feed(pipeline: &Pipeline, events: Vec<steward_domain::Event>) -> (usize, usize) {
    let mut tickets = Vec::with_capacity(events.len());
    for event in events {
        tickets.push(pipeline.submit(event).await.unwrap());
    }
    let (mut applied, mut duplicates) = (0, 0);
    for ticket in tickets {
        match ticket.outcome().await.unwrap() {
            Outcome::Applied { .. } => applied += 1,
            Outcome::Duplicate => duplicates += 1,
        }
    }
    (applied, duplicates)
}

fn feeding_the_same_simulated_day_twice_changes_nothing(test: &TestDatabase) {
    let database = Arc::new(test.open().unwrap());
    let simulation = Simulation::new(SimConfig {
        groups: 6,
        members: 400,
        days: 3,
        ..SimConfig::default()
    })
    .unwrap();
    let features = || registry(&FeaturesConfig::default(), &Default::default());
    block_on(async {
        let pipeline = Pipeline::start(
            Arc::clone(&database),
            features(),
            &PipelineConfig::default(),
        )
        .await
        .unwrap();
        let day_zero = simulation.day(0);
        let (applied, duplicates) = feed(&pipeline, day_zero.clone()).await;
        assert_eq!((applied, duplicates), (day_zero.len(), 0));
        let day_one = simulation.day(1);
        let count = day_one.len();
        assert!(
            count > 100,
            "day 1 is too quiet to prove anything: {count} events"
        );
        assert_eq!(feed(&pipeline, day_one.clone()).await, (count, 0));
        pipeline.shutdown().await;
        let after_once = blocking(|| database.dump()).unwrap();

        // Again, through a new pipeline, as after a restart.
        let pipeline = Pipeline::start(
            Arc::clone(&database),
            features(),
            &PipelineConfig::default(),
        )
        .await
        .unwrap();
        assert_eq!(feed(&pipeline, day_one).await, (0, count));
        pipeline.shutdown().await;
        assert_eq!(blocking(|| database.dump()).unwrap(), after_once);
        assert_eq!(
            blocking(|| database.verify()).unwrap(),
            Vec::<String>::new()
        );
    });
}

fn check_counts_match_the_simulation(database: &Database, simulation: &Simulation, days: u32) {
    let messages = (0..days)
        .flat_map(|day| simulation.day(day))
        .filter(|event| matches!(event.kind, steward_domain::EventKind::Message { .. }))
        .count();
    assert_eq!(database.counts().unwrap().messages as usize, messages);
}

fn a_simulated_week_is_recorded_completely(test: &TestDatabase) {
    let database = Arc::new(test.open().unwrap());
    let simulation = Simulation::new(SimConfig {
        groups: 4,
        members: 300,
        days: 7,
        ..SimConfig::default()
    })
    .unwrap();
    block_on(async {
        let pipeline = Pipeline::start(
            Arc::clone(&database),
            Vec::new(),
            &PipelineConfig::default(),
        )
        .await
        .unwrap();
        let events: Vec<_> = simulation.events().collect();
        let total = events.len();
        assert_eq!(feed(&pipeline, events).await, (total, 0));
        pipeline.shutdown().await;
    });
    check_counts_match_the_simulation(&database, &simulation, 7);
    assert_eq!(database.verify().unwrap(), Vec::<String>::new());
}

steward_store::on_both_backends!(
    feeding_the_same_simulated_day_twice_changes_nothing,
    a_simulated_week_is_recorded_completely,
);
